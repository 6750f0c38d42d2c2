package identity

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Compact JWTs (RFC 7519) signed with RS256 or PS256: what the Microsoft
// identity platform accepts as client assertions.

type jwtHeader struct {
	Alg     string `json:"alg"`
	Kid     string `json:"kid,omitempty"`
	X5t     string `json:"x5t,omitempty"`
	X5tS256 string `json:"x5t#S256,omitempty"`
}

type jwtClaims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Aud any    `json:"aud"`
	Exp int64  `json:"exp"`
	Nbf int64  `json:"nbf"`
	Iat int64  `json:"iat"`
	Jti string `json:"jti,omitempty"`
}

// audiences lists aud, a string or an array.
func (c *jwtClaims) audiences() []string {
	switch a := c.Aud.(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, v := range a {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// validAt reports whether now is within nbf and exp, allowing Entra's five
// minutes of clock skew.
func (c *jwtClaims) validAt(now time.Time) bool {
	const skew = 5 * time.Minute
	return c.Exp != 0 && now.Add(-skew).Unix() < c.Exp && (c.Nbf == 0 || now.Add(skew).Unix() >= c.Nbf)
}

type parsedJWT struct {
	header jwtHeader
	claims jwtClaims
	signed []byte // header.payload
	sig    []byte
}

var errMalformedJWT = errors.New("not a compact JWT")

func parseJWT(token string) (*parsedJWT, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errMalformedJWT
	}
	var p parsedJWT
	h, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	c, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, errMalformedJWT
	}
	if json.Unmarshal(h, &p.header) != nil || json.Unmarshal(c, &p.claims) != nil {
		return nil, errMalformedJWT
	}
	p.signed, p.sig = []byte(parts[0]+"."+parts[1]), sig
	return &p, nil
}

// verify checks the signature with key (RS256 or PS256).
func (p *parsedJWT) verify(key *rsa.PublicKey) bool {
	if key == nil || key.N == nil {
		return false
	}
	sum := sha256.Sum256(p.signed)
	switch p.header.Alg {
	case "RS256":
		return rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], p.sig) == nil
	case "PS256":
		return rsa.VerifyPSS(key, crypto.SHA256, sum[:], p.sig, nil) == nil
	}
	return false
}

// signJWT makes an RS256 token.
func signJWT(key *rsa.PrivateKey, kid string, claims any) (string, error) {
	enc := func(v any) (string, error) {
		b, err := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b), err
	}
	h, err1 := enc(jwtHeader{Alg: "RS256", Kid: kid})
	c, err2 := enc(claims)
	if err := errors.Join(err1, err2); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(h + "." + c))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return h + "." + c + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
