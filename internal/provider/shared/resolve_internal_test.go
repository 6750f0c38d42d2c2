package shared

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// The outcomes of resolve: adopted only when the read found the write;
// sent again (not adopted) when it did not land; failed on a plain error.
func TestResolveWrite(t *testing.T) {
	lost := &pimclient.APIError{StatusCode: 503, Code: "serviceNotAvailable"}
	exists := &pimclient.APIError{StatusCode: 400, Code: pimclient.CodeRoleAssignmentExists, Attempts: 1}
	cases := []struct {
		name     string
		sends    []error
		landed   []bool
		adopted  bool
		err      error
		attempts int
	}{
		{"plain success", []error{nil}, nil, false, nil, 1},
		{"lost answer, the write landed", []error{lost}, []bool{false, true}, true, nil, 1},
		{"lost answer, the write did not land: sent again", []error{lost, nil}, []bool{false, false, false, false, false}, false, nil, 2},
		{"echo of the lost write", []error{lost, exists}, []bool{false, false, false, false, false, true}, true, nil, 2},
		{"a plain error is not resolved", []error{exists}, nil, false, exists, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &ProviderData{Clock: emulator.NewFakeClock(time.Unix(0, 0)), Poll: time.Second}
			sends, reads := 0, 0
			adopted, err := p.Resolve(context.Background(), Write{
				Send: func(context.Context) error { sends++; return c.sends[min(sends, len(c.sends))-1] },
				Landed: func(context.Context) (bool, error) {
					reads++
					return c.landed[min(reads, len(c.landed))-1], nil
				},
				Echo: func(err error) bool { return pimclient.HasCode(err, pimclient.CodeRoleAssignmentExists) },
			})
			if adopted != c.adopted || !errors.Is(err, c.err) || sends != c.attempts {
				t.Errorf("adopted %v err %v after %d sends, want %v %v after %d", adopted, err, sends, c.adopted, c.err, c.attempts)
			}
		})
	}
}
