package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
)

// tfplugindocs documents list resources and actions only when the Terraform
// CLI it runs reports them (1.14 and later), so their pages are written from
// the provider schema here, into templates/ (tfplugindocs copies them into
// docs/). The test fails when a page is stale; `make generate` rewrites them
// (PIM_UPDATE_DOCS=1).
func TestStaticDocsForListResourcesAndActions(t *testing.T) {
	p := newProtocol(t, acctest.NewEnv(t), acctest.Token)
	pages := map[string]string{}
	for name, s := range p.schemas.ListResourceSchemas {
		pages[filepath.Join("list-resources", short(name)+".md")] = docPage(name, "List Resource", s.Block,
			filepath.Join("examples", "list-resources", name, "list-resource.tfquery.hcl"))
	}
	for name, s := range p.schemas.ActionSchemas {
		pages[filepath.Join("actions", short(name)+".md")] = docPage(name, "Action", s.Schema.Block,
			filepath.Join("examples", "actions", name, "action.tf"))
	}
	update := os.Getenv("PIM_UPDATE_DOCS") == "1"
	for rel, want := range pages {
		path := filepath.Join("..", "..", "templates", rel)
		got, _ := os.ReadFile(path)
		if string(got) == want {
			continue
		}
		if !update {
			t.Errorf("templates/%s is stale: run make generate", rel)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func short(name string) string { return strings.TrimPrefix(name, "pim_") }

// docPage renders a page in the shape tfplugindocs gives resources.
func docPage(name, kind string, block *tfprotov6.SchemaBlock, example string) string {
	var b strings.Builder
	first, _, _ := strings.Cut(block.Description, "\n")
	fmt.Fprintf(&b, "---\npage_title: \"%s %s - pim\"\nsubcategory: \"\"\ndescription: |-\n  %s\n---\n\n", name, kind, first)
	fmt.Fprintf(&b, "# %s (%s)\n\n%s\n\n", name, kind, block.Description)
	fmt.Fprintf(&b, "This page is written from the provider schema (`make generate`): %ss need Terraform 1.14 or later.\n\n", strings.ToLower(kind))
	if ex, err := os.ReadFile(filepath.Join("..", "..", example)); err == nil {
		fmt.Fprintf(&b, "## Example Usage\n\n```terraform\n%s```\n\n", ex)
	}
	b.WriteString("## Schema\n")
	for _, group := range []struct {
		title string
		keep  func(*tfprotov6.SchemaAttribute) bool
	}{{"Required", func(a *tfprotov6.SchemaAttribute) bool { return a.Required }}, {"Optional", func(a *tfprotov6.SchemaAttribute) bool { return a.Optional }}} {
		var lines []string
		for _, a := range block.Attributes {
			if group.keep(a) {
				lines = append(lines, fmt.Sprintf("- `%s` (%s) %s", a.Name, typeName(a.Type), a.Description))
			}
		}
		if len(lines) > 0 {
			sort.Strings(lines)
			fmt.Fprintf(&b, "\n### %s\n\n%s\n", group.title, strings.Join(lines, "\n"))
		}
	}
	return b.String()
}

func typeName(t tftypes.Type) string {
	switch {
	case t.Is(tftypes.String):
		return "String"
	case t.Is(tftypes.Bool):
		return "Boolean"
	case t.Is(tftypes.Number):
		return "Number"
	}
	return t.String()
}
