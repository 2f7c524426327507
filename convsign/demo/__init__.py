"""The demonstration instance: Lens-Liévin, its 36 communes, the CAF du Pas-de-Calais."""
