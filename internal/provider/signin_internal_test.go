package provider

import (
	"encoding/base64"
	"testing"
)

func TestAppOnlyToken(t *testing.T) {
	jwt := func(claims string) string {
		return "e30." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".sig"
	}
	for _, c := range []struct {
		token string
		want  bool
	}{
		{jwt(`{"idtyp":"app","roles":["RoleManagement.ReadWrite.Directory"]}`), true},
		{jwt(`{"roles":["RoleManagement.ReadWrite.Directory"]}`), true}, // v1 tokens have no idtyp
		{jwt(`{"idtyp":"user","scp":"RoleManagement.ReadWrite.Directory"}`), false},
		{jwt(`{"scp":"User.Read","roles":["Approver"]}`), false}, // a user's token can carry app roles too
		{"pimemu_opaque", false},
		{"a.!!!.c", false},
	} {
		if got := appOnlyToken(c.token); got != c.want {
			t.Errorf("appOnlyToken(%q) = %v, want %v", c.token, got, c.want)
		}
	}
}
