"""Encryption of stored database passwords with the Fernet key(s) from ``WHALEFALL_CREDENTIAL_KEY``."""

from __future__ import annotations

from cryptography.fernet import InvalidToken, MultiFernet
from flask import current_app

from whalefall.core.config import credential_cipher_keys
from whalefall.core.errors import ConfigError
from whalefall.core.logging import register_secret


class CredentialCipher:
    """Encrypts with the first key and decrypts with any, so keys can be rotated without downtime."""

    def __init__(self, key_setting: str) -> None:
        self._fernet = MultiFernet(credential_cipher_keys(key_setting))

    def encrypt(self, plaintext: str) -> bytes:
        register_secret(plaintext)
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, token: bytes, label: str) -> str:
        try:
            plaintext = self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken:
            raise ConfigError(
                f"the stored password of {label} cannot be decrypted with WHALEFALL_CREDENTIAL_KEY "
                "(was the key changed? list the old key after the new one, comma-separated)"
            ) from None
        register_secret(plaintext)
        return plaintext


def cipher() -> CredentialCipher:
    """The app's cipher, built once per app from its configuration."""
    extensions = current_app.extensions
    if "whalefall.cipher" not in extensions:
        extensions["whalefall.cipher"] = CredentialCipher(current_app.config["WHALEFALL_CREDENTIAL_KEY"])
    return extensions["whalefall.cipher"]
