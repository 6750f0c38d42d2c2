package shared

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// GraphErrorDetail describes a failed Graph call: what was attempted, Graph's
// code, message and request-id (what Microsoft support asks for), and a next
// step when we know one.
func GraphErrorDetail(attempted string, err error, next string) string {
	var b strings.Builder
	b.WriteString(attempted)
	b.WriteString(".\n\n")
	if apiErr, ok := pimclient.AsAPIError(err); ok {
		fmt.Fprintf(&b, "Graph error: %s (HTTP %d)\n", FirstNonEmpty(apiErr.Code, "no error code"), apiErr.StatusCode)
		if apiErr.Message != "" {
			fmt.Fprintf(&b, "Message: %s\n", apiErr.Message)
		}
		if apiErr.RequestID != "" {
			fmt.Fprintf(&b, "request-id: %s\n", apiErr.RequestID)
		}
		if apiErr.ClientRequestID != "" {
			fmt.Fprintf(&b, "client-request-id: %s\n", apiErr.ClientRequestID)
		}
		if next == "" {
			next = defaultNextStep(apiErr)
		}
	} else {
		fmt.Fprintf(&b, "Error: %s\n", err)
	}
	if next != "" {
		b.WriteString("\n")
		b.WriteString(next)
	}
	return b.String()
}

func defaultNextStep(e *pimclient.APIError) string {
	switch {
	case e.StatusCode == 401:
		return "The access token was rejected: it is missing, expired or for another audience. Get a new token for https://graph.microsoft.com."
	case e.StatusCode == 403:
		return "The caller lacks a Graph permission or an Entra role. See the Graph permissions listed in this resource's documentation; " +
			"delegated callers also need Privileged Role Administrator."
	case e.StatusCode == 429:
		return "Graph throttled the calls and the retry budget ran out. Run again later or with lower -parallelism."
	case strings.EqualFold(e.Code, pimclient.CodePolicyValidationFailed):
		return "The role's PIM policy (its role setting) rejected the request. Adjust the assignment to the policy's limits " +
			"(maximum duration, permanent assignments allowed, required justification or ticket) or change the role setting."
	case e.StatusCode >= 500:
		return "Graph had a transient failure. Run terraform apply again; if it persists, give Microsoft the request-id above."
	}
	return ""
}

func AddGraphError(diags *diag.Diagnostics, summary, attempted string, err error, next string) {
	diags.AddError(summary, GraphErrorDetail(attempted, err, next))
}
