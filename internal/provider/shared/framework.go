package shared

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

const (
	AccessMember = "member"
	AccessOwner  = "owner"
)

// Getter is a plan, a state or a configuration.
type Getter interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// Setter is a plan or a state being written.
type Setter interface {
	Set(ctx context.Context, val any) diag.Diagnostics
}

// SetIdentity records the identity of what is in state; nil (a Terraform
// without identity support) is skipped.
func SetIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, value any, diags *diag.Diagnostics) {
	if identity != nil {
		diags.Append(identity.Set(ctx, value)...)
	}
}

// Progress sends an action's progress line when Terraform listens for one.
func Progress(resp *action.InvokeResponse, format string, args ...any) {
	if resp.SendProgress != nil {
		resp.SendProgress(action.InvokeProgressEvent{Message: fmt.Sprintf(format, args...)})
	}
}
