"""Signer keys under their holder's passphrase (Argon2id + AES-256-GCM)."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from convsign.pki.errors import KeyBlobInvalid, WrongPassphrase
from convsign.pki.keys import (
    Argon2Params,
    change_passphrase,
    generate_signer_key,
    protect_key,
    unlock_key,
)
from tests.unit.conftest import CHEAP_ARGON2


def same_key(a: ec.EllipticCurvePrivateKey, b: object) -> bool:
    assert isinstance(b, ec.EllipticCurvePrivateKey)
    return a.private_numbers() == b.private_numbers()


def test_signer_keys_are_p256() -> None:
    assert generate_signer_key().curve.name == "secp256r1"


def test_round_trip_with_accents_in_any_normal_form() -> None:
    key = generate_signer_key()
    blob = protect_key(key, "Mairie de Liévin", CHEAP_ARGON2)
    assert same_key(key, unlock_key(blob, "Mairie de Liévin"))
    assert same_key(key, unlock_key(blob, "Mairie de Lie\u0301vin"))  # é as e + combining accent


def test_wrong_passphrase_is_a_coded_error() -> None:
    blob = protect_key(generate_signer_key(), "correct horse", CHEAP_ARGON2)
    with pytest.raises(WrongPassphrase) as caught:
        unlock_key(blob, "correct horse ")
    assert caught.value.code == "wrong_passphrase"


def test_change_passphrase_keeps_the_key_and_drops_the_old_one() -> None:
    key = generate_signer_key()
    blob = protect_key(key, "ancienne", CHEAP_ARGON2)
    renewed = change_passphrase(blob, "ancienne", "nouvelle", CHEAP_ARGON2)
    assert same_key(key, unlock_key(renewed, "nouvelle"))
    with pytest.raises(WrongPassphrase):
        unlock_key(renewed, "ancienne")
    with pytest.raises(WrongPassphrase):
        change_passphrase(blob, "pas la bonne", "nouvelle", CHEAP_ARGON2)


def test_blob_records_its_parameters_and_hides_the_key() -> None:
    key = generate_signer_key()
    blob = json.loads(protect_key(key, "secret", CHEAP_ARGON2))
    assert blob["kdf"] == "argon2id" and blob["v"] == 1
    assert (blob["memory_kib"], blob["time_cost"]) == (1024, 1)
    assert str(key.private_numbers().private_value) not in json.dumps(blob)


def test_default_parameters_are_memory_hard() -> None:
    assert Argon2Params().memory_kib == 65536 and Argon2Params().time_cost == 3


def test_tampered_parameters_do_not_open_the_key() -> None:
    blob = json.loads(protect_key(generate_signer_key(), "secret", CHEAP_ARGON2))
    blob["time_cost"] = 2
    with pytest.raises(WrongPassphrase):
        unlock_key(json.dumps(blob).encode(), "secret")


@pytest.mark.parametrize("blob", [b"not json", b"{}", b'{"v": 9, "kdf": "argon2id"}'])
def test_unreadable_blobs_are_refused(blob: bytes) -> None:
    with pytest.raises(KeyBlobInvalid):
        unlock_key(blob, "secret")
