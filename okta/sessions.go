package okta

import (
	"context"
	"net/url"
)

// GetSession fetches one session by ID (404 E0000007 once it has ended).
func (c *Client) GetSession(ctx context.Context, id string) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		// The SDK path-escapes the value itself.
		_, _, err := c.api().SessionAPI.GetSession(ctx, id).Execute()
		return err
	})
}

// RevokeSession plans DELETE /api/v1/sessions/{id}: the session ends at once.
func (c *Client) RevokeSession(id string) *Write {
	return &Write{Method: "DELETE", Path: "/api/v1/sessions/" + url.PathEscape(id), send: func(ctx context.Context) error {
		_, err := c.api().SessionAPI.RevokeSession(ctx, id).Execute()
		return err
	}}
}
