package okta

import "context"

// UserQuery is the query of GET /api/v1/users. Empty fields are not sent.
type UserQuery struct {
	Q, Search, Filter, After string
	Limit                    int32
}

// ListUsers fetches one page of users.
func (c *Client) ListUsers(ctx context.Context, q UserQuery) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		r := c.api.UserAPI.ListUsers(ctx)
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
		_, _, err := r.Execute()
		return err
	})
}

// GetUser fetches one user by ID, login or login short name.
func (c *Client) GetUser(ctx context.Context, idOrLogin string) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		// The SDK path-escapes the value itself.
		_, _, err := c.api.UserAPI.GetUser(ctx, idOrLogin).Execute()
		return err
	})
}
