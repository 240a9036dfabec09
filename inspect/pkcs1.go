package inspect

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"math/big"
)

// minGoRSABits is the smallest modulus crypto/rsa accepts since Go 1.24.
const minGoRSABits = 1024

// verifyPKCS1v15 is RSASSA-PKCS1-v1_5 verification as WebCrypto does it for
// the SDK (crypto.subtle.verify): any modulus size. crypto/rsa checks keys of
// 1024 bits and more; smaller ones, which Go refuses since 1.24 and which a
// JWKS may still publish (Node verifies with them, and the SDK signs the
// user in), are checked by verifySmallPKCS1v15.
//
// The GODEBUG setting rsa1024min=0 would make crypto/rsa accept them too,
// but it is process-wide: it would also let TLS accept a weak server key on
// the Backend API calls, and a //go:debug directive in package main does
// not reach the tests of this package or any other binary that imports it.
// The check below applies to JWT signatures only, wherever inspect runs.
func verifyPKCS1v15(pub *rsa.PublicKey, h crypto.Hash, hashed, sig []byte) bool {
	if pub.N.BitLen() < minGoRSABits {
		return verifySmallPKCS1v15(pub, h, hashed, sig)
	}
	return rsa.VerifyPKCS1v15(pub, h, hashed, sig) == nil
}

// digestInfoPrefixes are the DER DigestInfo headers of RFC 8017 §9.2, note 1.
var digestInfoPrefixes = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// verifySmallPKCS1v15 is RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 §8.2.2) with
// math/big: s = OS2IP(sig) must be below n, m = s^e mod n, and the k-byte
// EM = I2OSP(m, k) must equal 0x00 01 FF…FF 00 || DigestInfo || H exactly
// (at least eight 0xFF), as OpenSSL compares it. Only public data is
// involved, so constant time does not matter. A modulus too small for the
// digest fails, as it does in WebCrypto. The tests check it against
// crypto/rsa run with rsa1024min=0.
func verifySmallPKCS1v15(pub *rsa.PublicKey, h crypto.Hash, hashed, sig []byte) bool {
	prefix, ok := digestInfoPrefixes[h]
	if !ok || pub.N.Sign() <= 0 || pub.E < 2 || len(hashed) != h.Size() {
		return false
	}
	k := (pub.N.BitLen() + 7) / 8
	tLen := len(prefix) + len(hashed)
	if len(sig) != k || k < tLen+11 {
		return false
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return false
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	em := m.FillBytes(make([]byte, k))
	want := make([]byte, k)
	want[1] = 0x01
	for i := 2; i < k-tLen-1; i++ {
		want[i] = 0xff
	}
	copy(want[k-tLen:], prefix)
	copy(want[k-len(hashed):], hashed)
	return bytes.Equal(em, want)
}
