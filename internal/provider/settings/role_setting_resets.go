package settings

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// warnResets warns when a plan would set settings the configuration does not
// mention back to the documented default over what the role has now: an
// omitted setting means the default, and a one-line pim_role_setting
// created or imported over a role hardened in the portal must not quietly
// turn its approval off.
func (r *roleSettingResource) warnResets(ctx context.Context, req resource.ModifyPlanRequest, plan *roleSettingModel, diags *diag.Diagnostics) {
	current := req.State.Raw
	if current.IsNull() {
		pol, err := r.subject.ref(plan).Fetch(ctx, r.data.Client)
		if err != nil {
			return // the create reports it
		}
		m, err := roleSettingFromRules(pol)
		if err != nil {
			return
		}
		m.RoleDefinitionID, m.Container, m.ID = plan.RoleDefinitionID, plan.Container, plan.ID
		st := tfsdk.State{Schema: req.Plan.Schema}
		if d := r.subject.set(ctx, &st, m); d.HasError() {
			return
		}
		current = st.Raw
	}
	resets := unmentionedChanges(current, req.Plan.Raw, req.Config.Raw)
	if len(resets) == 0 {
		return
	}
	diags.AddWarning("Role Setting Resets Settings Not In The Configuration",
		fmt.Sprintf("The PIM setting of %s would change these settings, which the configuration does not mention, to their documented "+
			"default (an omitted setting means the default):\n  - %s\nIf that is intended, nothing needs doing. To keep a current value, "+
			"write it into the configuration.", r.subject.describe(ctx, r.data.Names, plan), strings.Join(resets, "\n  - ")))
}

// warnDestroy says, setting by setting, what destroying the resource resets
// to the documented default (approval off, MFA off, …): a destroy restores
// the defaults, unless keep_on_destroy keeps the policy as it is.
func (r *roleSettingResource) warnDestroy(ctx context.Context, req resource.ModifyPlanRequest, diags *diag.Diagnostics) {
	var state roleSettingModel
	if d := r.subject.get(ctx, req.State, &state); d.HasError() || state.KeepOnDestroy.ValueBool() {
		return
	}
	def := r.subject.defaults()
	def.ID, def.RoleDefinitionID, def.Container, def.KeepOnDestroy = state.ID, state.RoleDefinitionID, state.Container, state.KeepOnDestroy
	st := tfsdk.State{Schema: req.State.Schema}
	if d := r.subject.set(ctx, &st, &def); d.HasError() {
		return
	}
	resets := unmentionedChanges(req.State.Raw, st.Raw, tftypes.NewValue(req.State.Raw.Type(), nil))
	if len(resets) == 0 {
		return
	}
	diags.AddWarning("Destroying Resets The PIM Setting",
		fmt.Sprintf("Destroying this resource sets the PIM setting of %s back to the documented defaults:\n  - %s\nIf the policy "+
			"should stay as it is, set keep_on_destroy = true and apply before destroying.", r.subject.describe(ctx, r.data.Names, &state),
			strings.Join(resets, "\n  - ")))
}

// unmentionedChanges lists, as "path: old → new", the leaves that differ
// between current and plan where the configuration is null (at the leaf or
// above it).
func unmentionedChanges(current, plan, config tftypes.Value) []string {
	diffs, err := current.Diff(plan)
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range diffs {
		if d.Value1 == nil || d.Value2 == nil || len(d.Path.Steps()) == 0 {
			continue
		}
		name := pathString(d.Path)
		if name == "id" || mentioned(config, d.Path) {
			continue
		}
		if n1, n2 := listLen(*d.Value1), listLen(*d.Value2); n1 != n2 && !reportable(d.Value1.Type()) {
			out = append(out, fmt.Sprintf("%s: %d entries → %d", name, n1, n2)) // the entries' leaves follow
			continue
		}
		if reportable(d.Value1.Type()) {
			out = append(out, fmt.Sprintf("%s: %s → %s", name, valueString(*d.Value1), valueString(*d.Value2)))
		}
	}
	sort.Strings(out)
	return out
}

// listLen is the length of a known list, -1 for anything else.
func listLen(v tftypes.Value) int {
	var elems []tftypes.Value
	if !v.Type().Is(tftypes.List{}) || !v.IsKnown() || v.IsNull() || v.As(&elems) != nil {
		return -1
	}
	return len(elems)
}

// reportable: primitives and collections of primitives; objects are
// reported through their leaves.
func reportable(t tftypes.Type) bool {
	switch {
	case t.Is(tftypes.List{}):
		return reportable(t.(tftypes.List).ElementType) //nolint:forcetypeassert // Is checked the kind
	case t.Is(tftypes.Set{}):
		return reportable(t.(tftypes.Set).ElementType) //nolint:forcetypeassert // Is checked the kind
	case t.Is(tftypes.Object{}), t.Is(tftypes.Map{}), t.Is(tftypes.Tuple{}):
		return false
	}
	return true
}

// mentioned reports whether the configuration sets the value at path: false
// when it or anything above it is null. A step that does not exist (a list
// configured shorter) counts as mentioned: the configuration said so.
func mentioned(config tftypes.Value, p *tftypes.AttributePath) bool {
	if config.IsNull() {
		return false // no configuration (a destroy) mentions nothing
	}
	steps := p.Steps()
	for i := 1; i <= len(steps); i++ {
		v, _, err := tftypes.WalkAttributePath(config, tftypes.NewAttributePathWithSteps(steps[:i]))
		if err != nil {
			return true
		}
		if val, ok := v.(tftypes.Value); ok && val.IsNull() {
			return false
		}
	}
	return true
}

func pathString(p *tftypes.AttributePath) string {
	var b strings.Builder
	for _, s := range p.Steps() {
		switch s := s.(type) {
		case tftypes.AttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(s))
		case tftypes.ElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(s))
		default:
			b.WriteString("[…]")
		}
	}
	return b.String()
}

// valueString renders a value as it would be written in HCL.
func valueString(v tftypes.Value) string {
	if v.IsNull() {
		return "null"
	}
	if !v.IsKnown() {
		return "(known after apply)"
	}
	switch {
	case v.Type().Is(tftypes.String):
		var s string
		_ = v.As(&s)
		return strconv.Quote(s)
	case v.Type().Is(tftypes.Bool):
		var b bool
		_ = v.As(&b)
		return strconv.FormatBool(b)
	case v.Type().Is(tftypes.Number):
		n := new(big.Float)
		_ = v.As(&n)
		return n.Text('f', -1)
	}
	var elems []tftypes.Value
	if v.As(&elems) != nil {
		return v.String()
	}
	parts := make([]string, len(elems))
	for i, e := range elems {
		parts[i] = valueString(e)
	}
	sort.Strings(parts)
	return "[" + strings.Join(parts, ", ") + "]"
}
