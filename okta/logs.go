package okta

import (
	"context"
	"time"
)

// LogQuery is the query of GET /api/v1/logs. Zero or empty fields are not
// sent. Since and After are mutually exclusive in Okta; callers send Since
// on the first page only.
//
// The SDK formats Since and Until as RFC 3339 in whole seconds (fractions
// are dropped), so callers should pass whole-second UTC times to know
// exactly what was asked.
type LogQuery struct {
	Since, Until                time.Time
	Filter, Q, SortOrder, After string
	Limit                       int32
}

// ListLogs fetches one page of System Log events.
func (c *Client) ListLogs(ctx context.Context, q LogQuery) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		r := c.api().SystemLogAPI.ListLogEvents(ctx)
		if !q.Since.IsZero() {
			r = r.Since(q.Since.UTC())
		}
		if !q.Until.IsZero() {
			r = r.Until(q.Until.UTC())
		}
		if q.Filter != "" {
			r = r.Filter(q.Filter)
		}
		if q.Q != "" {
			r = r.Q(q.Q)
		}
		if q.SortOrder != "" {
			r = r.SortOrder(q.SortOrder)
		}
		if q.After != "" {
			r = r.After(q.After)
		}
		if q.Limit > 0 {
			r = r.Limit(q.Limit)
		}
		_, _, err := r.Execute()
		return err
	})
}
