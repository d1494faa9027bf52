package okta

import "context"

// SearchQuery is the query of the searchable lists, GET /api/v1/users and
// GET /api/v1/groups. Empty fields are not sent.
type SearchQuery struct {
	Q, Search, Filter, After string
	Limit                    int32
}

// searchRequest is an SDK list request that takes a SearchQuery's parameters.
type searchRequest[R any] interface {
	Q(string) R
	Search(string) R
	Filter(string) R
	After(string) R
	Limit(int32) R
}

// withSearch sets q's non-empty parameters on an SDK list request.
func withSearch[R searchRequest[R]](r R, q SearchQuery) R {
	if q.Q != "" {
		r = r.Q(q.Q)
	}
	if q.Search != "" {
		r = r.Search(q.Search)
	}
	if q.Filter != "" {
		r = r.Filter(q.Filter)
	}
	if q.After != "" {
		r = r.After(q.After)
	}
	if q.Limit > 0 {
		r = r.Limit(q.Limit)
	}
	return r
}

// ListUsers fetches one page of users.
func (c *Client) ListUsers(ctx context.Context, q SearchQuery) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		_, _, err := withSearch(c.api().UserAPI.ListUsers(ctx), q).Execute()
		return err
	})
}

// GetUser fetches one user by ID, login or login short name.
func (c *Client) GetUser(ctx context.Context, idOrLogin string) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		// The SDK path-escapes the value itself.
		_, _, err := c.api().UserAPI.GetUser(ctx, idOrLogin).Execute()
		return err
	})
}
