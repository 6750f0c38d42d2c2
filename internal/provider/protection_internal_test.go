package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestProtectedIDsFromEnvironment(t *testing.T) {
	t.Setenv(EnvProtectedPrincipalIDs, " A11CE000-0000-4000-8000-000000000004 ,,b0b00000-0000-4000-8000-000000000001")
	var diags diag.Diagnostics
	got := protectedIDs(context.Background(), types.SetNull(types.StringType), &diags)
	if diags.HasError() || len(got) != 2 || !got["a11ce000-0000-4000-8000-000000000004"] || !got["b0b00000-0000-4000-8000-000000000001"] {
		t.Fatalf("protectedIDs = %v, %v", got, diags)
	}
	// The provider block wins over the environment.
	block := types.SetValueMust(types.StringType, nil)
	if got := protectedIDs(context.Background(), block, &diags); len(got) != 0 {
		t.Fatalf("an empty protected_principal_ids must override the environment, got %v", got)
	}
	t.Setenv(EnvProtectedPrincipalIDs, "alice")
	diags = nil
	protectedIDs(context.Background(), types.SetNull(types.StringType), &diags)
	if !diags.HasError() {
		t.Fatal("a value that is not a GUID must be an error")
	}
}
