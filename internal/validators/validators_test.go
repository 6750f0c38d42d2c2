package validators

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func run(v validator.String, value types.String) []string {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: value}, resp)
	var out []string
	for _, d := range resp.Diagnostics {
		out = append(out, d.Summary()+": "+d.Detail())
	}
	return out
}

func TestValidators(t *testing.T) {
	cases := []struct {
		name    string
		v       validator.String
		value   types.String
		wantErr string // empty: valid
	}{
		{"guid", GUID(), types.StringValue("62e90394-69f5-4237-9190-012177145e10"), ""},
		{"guid upper", GUID(), types.StringValue("62E90394-69F5-4237-9190-012177145E10"), ""},
		{"guid bad", GUID(), types.StringValue("Global Administrator"), `Invalid Object ID: attr must be an Entra object id`},
		{"guid unknown", GUID(), types.StringUnknown(), ""},
		{"guid null", GUID(), types.StringNull(), ""},
		{"scope tenant", DirectoryScope(), types.StringValue("/"), ""},
		{"scope au", DirectoryScope(), types.StringValue("/administrativeUnits/6e0c0000-0000-4000-8000-000000000001"), ""},
		{"scope object", DirectoryScope(), types.StringValue("/6e0c0000-0000-4000-8000-000000000001"), ""},
		{"scope bad au", DirectoryScope(), types.StringValue("/administrativeUnits/finance"), "Invalid Directory Scope"},
		{"scope empty", DirectoryScope(), types.StringValue(""), "Invalid Directory Scope"},
		{"duration", ISO8601Duration(), types.StringValue("P90D"), ""},
		{"duration zero", ISO8601Duration(), types.StringValue("PT0H"), `is zero`},
		{"duration bad", ISO8601Duration(), types.StringValue("90 days"), `Invalid ISO 8601 Duration`},
		{"range ok", DurationBetween(30*time.Minute, 24*time.Hour), types.StringValue("PT8H"), ""},
		{"range low", DurationBetween(30*time.Minute, 24*time.Hour), types.StringValue("PT10M"), "Duration Out Of Range: attr is PT10M; Entra allows PT30M to PT24H here."},
		{"range high", DurationBetween(30*time.Minute, 24*time.Hour), types.StringValue("P2D"), "Entra allows PT30M to PT24H"},
		{"range leaves syntax to ISO8601Duration", DurationBetween(30*time.Minute, 24*time.Hour), types.StringValue("8h"), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := run(c.v, c.value)
			switch {
			case c.wantErr == "" && len(got) > 0:
				t.Errorf("want valid, got %q", got)
			case c.wantErr != "" && (len(got) != 1 || !strings.Contains(got[0], c.wantErr)):
				t.Errorf("want one error containing %q, got %q", c.wantErr, got)
			}
		})
	}
}
