-- +goose Up
-- TOTP secrets are sealed by the application with AES-256-GCM under OTP_ENCRYPTION_KEY
-- (store/otp_keys.go): a stored value is "v1:" and base64. SQL has no access to the key, so the
-- rows still in plain text are sealed by the server at start (and by `cardconsole migrate`), which
-- refuses to start while they cannot be. From now on no plain secret can be written: the check is
-- NOT VALID so that the plain rows of before stay readable until they are sealed.
ALTER TABLE operators ADD CONSTRAINT operators_totp_secret_sealed
    CHECK (totp_secret IS NULL OR totp_secret LIKE 'v1:%') NOT VALID;
COMMENT ON COLUMN operators.totp_secret IS 'AES-256-GCM sealed TOTP secret: v1:base64(nonce || ciphertext); never plain text';

-- +goose Down
ALTER TABLE operators DROP CONSTRAINT operators_totp_secret_sealed;
COMMENT ON COLUMN operators.totp_secret IS NULL;
