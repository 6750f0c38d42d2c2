package signin

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
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

// ARM's address and audience follow the cloud, the emulator serves ARM at
// its root, and a bearer token goes to ARM only on Graph's own host.
func TestARMEndpointAndCredentials(t *testing.T) {
	for _, c := range []struct {
		cloud, endpoint, wantARM, wantScope string
	}{
		{"public", "https://graph.microsoft.com/v1.0", "https://management.azure.com", "https://management.azure.com/.default"},
		{"usgovernment", "https://graph.microsoft.us/v1.0", "https://management.usgovcloudapi.net", "https://management.usgovcloudapi.net/.default"},
		{"china", "https://microsoftgraph.chinacloudapi.cn/v1.0", "https://management.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default"},
		{"public", "http://127.0.0.1:8080/v1.0", "http://127.0.0.1:8080", "https://management.azure.com/.default"},
	} {
		cloud, _ := CloudOf(c.cloud)
		arm := (&Settings{}).ARMBaseURL(c.endpoint, cloud)
		if arm != c.wantARM || armScope(arm, cloud) != c.wantScope {
			t.Errorf("%s %s: ARM %s scope %s, want %s and %s", c.cloud, c.endpoint, arm, armScope(arm, cloud), c.wantARM, c.wantScope)
		}
	}
	d := Defaults{Token: "graph-token"}
	cloud, _ := CloudOf("public")
	if ts, err := (&Settings{}).ARM("https://graph.microsoft.com/v1.0", "https://management.azure.com", cloud, d); err != nil || ts != nil {
		t.Errorf("a Graph bearer token must not go to ARM on another host: %v %v", ts, err)
	}
	if ts, _ := (&Settings{}).ARM("http://127.0.0.1:8080/v1.0", "http://127.0.0.1:8080", cloud, d); ts == nil {
		t.Error("on the emulator, the bearer token serves ARM too")
	}
	own := &Settings{ARMAccessToken: types.StringValue("arm-token")}
	ts, err := own.ARM("https://graph.microsoft.com/v1.0", "https://management.azure.com", cloud, d)
	if tok, _ := tokenOf(ts); err != nil || tok != "arm-token" {
		t.Errorf("arm_access_token is ARM's bearer token: %q %v", tok, err)
	}
}

func tokenOf(ts pimclient.TokenSource) (string, error) {
	if ts == nil {
		return "", nil
	}
	return ts.Token(context.Background())
}
