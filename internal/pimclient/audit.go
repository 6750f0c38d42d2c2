package pimclient

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// DirectoryAudit is one entry of the Entra audit log (directoryAudit).
type DirectoryAudit struct {
	ID                  string         `json:"id"`
	Category            string         `json:"category"`
	CorrelationID       string         `json:"correlationId"`
	Result              string         `json:"result"`
	ResultReason        string         `json:"resultReason"`
	ActivityDisplayName string         `json:"activityDisplayName"`
	ActivityDateTime    time.Time      `json:"activityDateTime"`
	LoggedByService     string         `json:"loggedByService"`
	OperationType       string         `json:"operationType"`
	InitiatedBy         AuditInitiator `json:"initiatedBy"`
	TargetResources     []AuditTarget  `json:"targetResources"`
	AdditionalDetails   []KeyValue     `json:"additionalDetails"`
}

// AuditInitiator is who did it: a user or an app.
type AuditInitiator struct {
	User *struct {
		ID                string `json:"id"`
		DisplayName       string `json:"displayName"`
		UserPrincipalName string `json:"userPrincipalName"`
	} `json:"user"`
	App *struct {
		AppID       string `json:"appId"`
		DisplayName string `json:"displayName"`
	} `json:"app"`
}

// AuditTarget is one object the entry is about. Graph spells the type field
// "type" or "Type" depending on the service; both are read.
type AuditTarget struct {
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	Type              string `json:"type"`
	UserPrincipalName string `json:"userPrincipalName"`
}

// KeyValue is an additionalDetails entry.
type KeyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ListDirectoryAudits returns up to limit entries matching f, newest first,
// following @odata.nextLink only as far as needed.
func (c *Client) ListDirectoryAudits(ctx context.Context, f Filter, limit int) ([]DirectoryAudit, error) {
	q := f.query()
	q.Set("$orderby", "activityDateTime desc")
	q.Set("$top", strconv.Itoa(min(max(limit, 1), 999)))
	var out []DirectoryAudit
	next, query := "/auditLogs/directoryAudits", q
	for next != "" && len(out) < limit {
		var p page[DirectoryAudit]
		if err := c.do(ctx, "GET", next, query, nil, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Value...)
		next, query = p.NextLink, url.Values(nil)
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// EachDirectoryAudit calls fn for every entry matching f, newest first,
// one page at a time: an export of 100,000 entries never holds more than
// a page.
func (c *Client) EachDirectoryAudit(ctx context.Context, f Filter, fn func(*DirectoryAudit) error) error {
	q := f.query()
	q.Set("$orderby", "activityDateTime desc")
	q.Set("$top", "999")
	next, query := "/auditLogs/directoryAudits", q
	for next != "" {
		var p page[DirectoryAudit]
		if err := c.do(ctx, "GET", next, query, nil, &p); err != nil {
			return err
		}
		for i := range p.Value {
			if err := fn(&p.Value[i]); err != nil {
				return err
			}
		}
		next, query = p.NextLink, url.Values(nil)
	}
	return nil
}
