package identity

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is defined as the SHA-1 thumbprint
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// appCertificate is the certificate registered on the app (nil when none
// is).
func appCertificate(sp tenant.ServicePrincipal) (*x509.Certificate, error) {
	if len(sp.Certificate) == 0 {
		return nil, nil
	}
	block, _ := pem.Decode(sp.Certificate)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("the app's certificate is not a PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

// thumbprintMatches compares an x5t (SHA-1) or x5t#S256 header with the
// certificate. RFC 7515 says base64url; MSAL sends standard base64, and
// Entra accepts both.
func thumbprintMatches(header string, cert *x509.Certificate, s256 bool) bool {
	var sum []byte
	if s256 {
		h := sha256.Sum256(cert.Raw)
		sum = h[:]
	} else {
		h := sha1.Sum(cert.Raw) //nolint:gosec // see the import
		sum = h[:]
	}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if got, err := enc.DecodeString(header); err == nil && bytes.Equal(got, sum) {
			return true
		}
	}
	return false
}

func publicKey(cert *x509.Certificate) *rsa.PublicKey {
	key, _ := cert.PublicKey.(*rsa.PublicKey)
	if key == nil {
		return &rsa.PublicKey{}
	}
	return key
}
