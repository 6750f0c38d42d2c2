package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The resource types whose instances are PIM assignments of directory roles.
var assignmentTypes = map[string]bool{"pim_eligible_assignment": true, "pim_active_assignment": true}

// ManagedFromState reads what Terraform manages from a state file (format
// version 4) or the JSON of terraform show -json: each assignment's
// schedule id and natural key.
func ManagedFromState(data []byte) (map[string]bool, error) {
	var doc struct {
		Version   *int `json:"version"`
		Resources []struct {
			Type      string `json:"type"`
			Mode      string `json:"mode"`
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
		FormatVersion string `json:"format_version"`
		Values        *struct {
			RootModule module `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not a Terraform state file (nor the JSON of terraform show -json): %w", err)
	}
	managed := map[string]bool{}
	switch {
	case doc.Values != nil:
		doc.Values.RootModule.collect(managed)
	case doc.Version != nil && doc.Resources != nil:
		for _, r := range doc.Resources {
			if r.Mode == "managed" && assignmentTypes[r.Type] {
				for _, in := range r.Instances {
					add(managed, in.Attributes)
				}
			}
		}
	case doc.Version != nil || doc.FormatVersion != "":
		// an empty state: nothing is managed
	default:
		return nil, errors.New("not a Terraform state file (nor the JSON of terraform show -json): it has neither \"version\" and " +
			"\"resources\" nor \"values\"")
	}
	return managed, nil
}

type module struct {
	Resources []struct {
		Type   string         `json:"type"`
		Mode   string         `json:"mode"`
		Values map[string]any `json:"values"`
	} `json:"resources"`
	ChildModules []module `json:"child_modules"`
}

func (m *module) collect(managed map[string]bool) {
	for _, r := range m.Resources {
		if r.Mode == "managed" && assignmentTypes[r.Type] {
			add(managed, r.Values)
		}
	}
	for i := range m.ChildModules {
		m.ChildModules[i].collect(managed)
	}
}

func add(managed map[string]bool, attrs map[string]any) {
	s := func(k string) string { v, _ := attrs[k].(string); return v }
	if id := s("id"); id != "" {
		managed[strings.ToLower(id)] = true
	}
	scope := s("directory_scope_id")
	if scope == "" {
		scope = "/"
	}
	if p, r := s("principal_id"), s("role_definition_id"); p != "" && r != "" {
		managed[Key(p, r, scope)] = true
	}
}
