"""Pure rules of the French public sector: @ctes identifiers, deliberations. No Flask, no database."""
