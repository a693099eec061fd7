package uid2

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Envelope layout, as UID2's "Encrypting Requests and Decrypting
// Responses" guide gives it.
const (
	// EnvelopeVersion is the first byte of an encrypted request.
	EnvelopeVersion = 1
	// IVSize, NonceSize, TimestampSize and TagSize are in bytes.
	IVSize        = 12
	NonceSize     = 8
	TimestampSize = 8
	TagSize       = 16
	// SecretSize is the size of a client secret (AES-256), once decoded.
	SecretSize = 32
)

// Nonce is the 64 random bits a request carries and its response echoes.
type Nonce [NonceSize]byte

// ParseSecret decodes a client secret (base64, as the UID2 portal gives
// it) into the AES-256 key. Its errors never show the secret.
func ParseSecret(b64 string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New("the client secret is not base64 (copy it as the UID2 portal shows it)")
	}
	if len(k) != SecretSize {
		return nil, fmt.Errorf("the client secret decodes to %d bytes, not the %d of an AES-256 key: is it the secret, not the API key?", len(k), SecretSize)
	}
	return k, nil
}

func newGCM(secret []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, fmt.Errorf("the client secret is not an AES key: %d bytes", len(secret))
	}
	return cipher.NewGCM(block)
}

// EncryptRequest wraps payload (a request's JSON) in UID2's request
// envelope: the plaintext is the millisecond timestamp now (int64 big
// endian), the nonce and payload; it is sealed with AES-256-GCM under
// secret with a random 12-byte IV, and the envelope is base64 of the
// version byte, the IV, the ciphertext and the 16-byte tag.
func EncryptRequest(secret []byte, now time.Time, nonce Nonce, payload []byte) (string, error) {
	var iv [IVSize]byte
	if _, err := rand.Read(iv[:]); err != nil {
		return "", fmt.Errorf("draw an IV: %w", err)
	}
	return encryptWithIV(secret, iv, now, nonce, payload)
}

func encryptWithIV(secret []byte, iv [IVSize]byte, now time.Time, nonce Nonce, payload []byte) (string, error) {
	gcm, err := newGCM(secret)
	if err != nil {
		return "", err
	}
	plain := make([]byte, 0, TimestampSize+NonceSize+len(payload))
	plain = binary.BigEndian.AppendUint64(plain, uint64(now.UnixMilli()))
	plain = append(plain, nonce[:]...)
	plain = append(plain, payload...)
	env := append([]byte{EnvelopeVersion}, iv[:]...)
	env = gcm.Seal(env, iv[:], plain, nil)
	return base64.StdEncoding.EncodeToString(env), nil
}

// DecryptResponse opens a 200 answer's body: base64 of a 12-byte IV, the
// ciphertext and its tag (no version byte). The plaintext is a timestamp,
// the request's nonce (checked against want) and the response JSON, which
// it returns.
func DecryptResponse(secret, body []byte, want Nonce) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(string(trimSpace(body)))
	if err != nil {
		return nil, errors.New("the answer is not base64: not a UID2 encrypted response")
	}
	if len(raw) < IVSize+TagSize+TimestampSize+NonceSize {
		return nil, fmt.Errorf("the answer holds %d bytes: too short for a UID2 encrypted response", len(raw))
	}
	gcm, err := newGCM(secret)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, raw[:IVSize], raw[IVSize:], nil)
	if err != nil {
		return nil, errors.New("the answer does not decrypt with the client secret (wrong uid2_secret_env, or a tampered answer)")
	}
	if len(plain) < TimestampSize+NonceSize {
		return nil, errors.New("the decrypted answer is too short to hold a timestamp and nonce")
	}
	if got := plain[TimestampSize : TimestampSize+NonceSize]; string(got) != string(want[:]) {
		return nil, errors.New("the answer's nonce is not the request's: a replayed or misrouted answer")
	}
	return plain[TimestampSize+NonceSize:], nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && (b[0] == '\n' || b[0] == '\r' || b[0] == ' ') {
		b = b[1:]
	}
	return b
}
