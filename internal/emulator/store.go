package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// kind names the two PIM schedule families.
type kind string

const (
	kindEligibility kind = "eligibility"
	kindAssignment  kind = "assignment"
)

// scheduleSpec is a request's or schedule's scheduleInfo, normalised.
type scheduleSpec struct {
	Start    time.Time  `json:"start"`
	ExpType  string     `json:"expType"` // camelCase expiration type
	End      *time.Time `json:"end,omitempty"`
	Duration string     `json:"duration,omitempty"`
}

// end returns the effective end (nil = permanent).
func (s scheduleSpec) end() *time.Time {
	if s.End != nil {
		return s.End
	}
	if s.Duration != "" {
		if d, err := isoduration.Parse(s.Duration); err == nil {
			e := d.AddTo(s.Start)
			return &e
		}
	}
	return nil
}

type request struct {
	ID               string        `json:"id"`
	Kind             kind          `json:"kind"`
	Action           string        `json:"action"`
	Status           string        `json:"status"`
	PrincipalID      string        `json:"principalId"`
	RoleDefinitionID string        `json:"roleDefinitionId"`
	DirectoryScopeID string        `json:"directoryScopeId"`
	Justification    *string       `json:"justification,omitempty"`
	Schedule         *scheduleSpec `json:"schedule,omitempty"`
	TicketNumber     *string       `json:"ticketNumber,omitempty"`
	TicketSystem     *string       `json:"ticketSystem,omitempty"`
	Created          time.Time     `json:"created"`
	Completed        *time.Time    `json:"completed,omitempty"`
	TargetScheduleID *string       `json:"targetScheduleId,omitempty"`
	CreatedBy        string        `json:"createdBy"`
	IsValidationOnly bool          `json:"isValidationOnly,omitempty"`
	ApprovalID       *string       `json:"approvalId,omitempty"`
	// ActivatedUsing is the eligibility schedule a selfActivate relies on.
	ActivatedUsing string `json:"activatedUsing,omitempty"`
}

type schedule struct {
	ID               string       `json:"id"`
	Kind             kind         `json:"kind"`
	PrincipalID      string       `json:"principalId"`
	RoleDefinitionID string       `json:"roleDefinitionId"`
	DirectoryScopeID string       `json:"directoryScopeId"`
	CreatedUsing     string       `json:"createdUsing"`
	Created          time.Time    `json:"created"`
	Modified         *time.Time   `json:"modified,omitempty"`
	Status           string       `json:"status"`
	AssignmentType   string       `json:"assignmentType,omitempty"`
	Spec             scheduleSpec `json:"spec"`
	ActivatedUsing   string       `json:"activatedUsing,omitempty"`
}

func (s *schedule) key() assignmentKey {
	return assignmentKey{s.Kind, s.PrincipalID, s.RoleDefinitionID, s.DirectoryScopeID}
}

type assignmentKey struct {
	Kind             kind
	PrincipalID      string
	RoleDefinitionID string
	DirectoryScopeID string
}

// state is everything the emulator persists.
type state struct {
	TenantID  string             `json:"tenantId"`
	Requests  []*request         `json:"requests"`
	Schedules []*schedule        `json:"schedules"`
	Policies  map[string]*Policy `json:"policies"` // by role definition id
	Audit     []*auditRecord     `json:"audit"`
	Approvals []*approval        `json:"approvals"`
}

// load reads a snapshot; a missing file is an empty state.
func load(path string) (*state, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("data file %s is corrupt: %w", path, err)
	}
	return &st, nil
}

// save replaces the snapshot atomically: write a temporary file in the same
// directory, fsync it, rename it over the old one. A crash leaves either the
// old or the new snapshot, never a torn one.
func save(path string, st *state) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pimemulator-*.tmp")
	if err != nil {
		return err
	}
	// After a successful rename the temporary name no longer exists; the
	// removal only cleans up after a failure.
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
