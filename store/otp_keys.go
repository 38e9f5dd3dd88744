package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// otpSealPrefix marks a TOTP secret sealed with AES-256-GCM: "v1:" then the base64 of the nonce
// followed by the ciphertext. A secret without it is plain text from before encryption.
const otpSealPrefix = "v1:"

// otpAAD binds a sealed value to its use, so a ciphertext cannot be replayed in another column.
var otpAAD = []byte("cardconsole operators.totp_secret")

// OTPKeys seal the operators' TOTP secrets at rest. The current key seals; it and the old keys
// open, so a key can be rotated: add the new key as current, keep the previous one as old until
// EncryptOTPSecrets has re-sealed every row with the current key, then drop it.
type OTPKeys struct {
	current cipher.AEAD
	all     []cipher.AEAD // current first
}

// ParseOTPKeys reads the current key and any old keys: each is 32 random bytes written as base64
// (standard or URL alphabet, padded or not) or as 64 hexadecimal characters. Empty old keys are
// skipped.
func ParseOTPKeys(current string, old ...string) (*OTPKeys, error) {
	k := &OTPKeys{}
	for i, text := range append([]string{current}, old...) {
		if i > 0 && strings.TrimSpace(text) == "" {
			continue
		}
		raw, err := decodeKey(strings.TrimSpace(text))
		if err != nil {
			return nil, err
		}
		block, _ := aes.NewCipher(raw) // 32 bytes: AES-256, never an error
		aead, _ := cipher.NewGCM(block)
		k.all = append(k.all, aead)
	}
	k.current = k.all[0]
	return k, nil
}

func decodeKey(text string) ([]byte, error) {
	if b, err := hex.DecodeString(text); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, errors.New("an OTP encryption key must be 32 bytes in base64 (openssl rand -base64 32) or 64 hexadecimal characters")
}

// seal encrypts a secret with the current key.
func (k *OTPKeys) seal(secret string) string {
	nonce := make([]byte, k.current.NonceSize())
	_, _ = rand.Read(nonce)
	out := k.current.Seal(nonce, nonce, []byte(secret), otpAAD)
	return otpSealPrefix + base64.RawStdEncoding.EncodeToString(out)
}

// open decrypts a sealed secret with whichever key sealed it; current says that was the current
// key (so the value needs no re-sealing).
func (k *OTPKeys) open(stored string) (secret string, current bool, err error) {
	body, ok := strings.CutPrefix(stored, otpSealPrefix)
	if !ok {
		return "", false, errors.New("store: the TOTP secret is not encrypted")
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return "", false, fmt.Errorf("store: a sealed TOTP secret is malformed: %w", err)
	}
	for i, aead := range k.all {
		n := aead.NonceSize()
		if len(raw) < n {
			break
		}
		if plain, err := aead.Open(nil, raw[:n], raw[n:], otpAAD); err == nil {
			return string(plain), i == 0, nil
		}
	}
	return "", false, errors.New("store: no configured OTP encryption key opens this TOTP secret (set the key that sealed it in OTP_ENCRYPTION_KEY_OLD)")
}
