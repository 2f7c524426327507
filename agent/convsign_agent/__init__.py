"""convsign-agent: signs convsign documents with the certificate of a token or smart card (PKCS#11).

It never imports convsign: it speaks to a convsign server over its HTTP API, and to the token
through the PKCS#11 module the card's vendor ships. The PIN never leaves this machine.
"""
