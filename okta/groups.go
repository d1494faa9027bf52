package okta

import (
	"context"
	"net/url"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"
)

// ListGroups fetches one page of groups.
func (c *Client) ListGroups(ctx context.Context, q SearchQuery) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		_, _, err := withSearch(c.api().GroupAPI.ListGroups(ctx), q).Execute()
		return err
	})
}

// GetGroup fetches one group by ID.
func (c *Client) GetGroup(ctx context.Context, id string) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		_, _, err := c.api().GroupAPI.GetGroup(ctx, id).Execute()
		return err
	})
}

// ListGroupMembers fetches one page of a group's members (users of every status).
func (c *Client) ListGroupMembers(ctx context.Context, groupID, after string, limit int32) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		r := c.api().GroupAPI.ListGroupUsers(ctx, groupID)
		if after != "" {
			r = r.After(after)
		}
		if limit > 0 {
			r = r.Limit(limit)
		}
		_, _, err := r.Execute()
		return err
	})
}

// ListUserGroups fetches one page of the groups a user is a member of.
func (c *Client) ListUserGroups(ctx context.Context, userID, after string, limit int32) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		r := c.api().UserAPI.ListUserGroups(ctx, userID)
		if after != "" {
			r = r.After(after)
		}
		if limit > 0 {
			r = r.Limit(limit)
		}
		_, _, err := r.Execute()
		return err
	})
}

func groupPath(id string, rest string) string { return "/api/v1/groups/" + url.PathEscape(id) + rest }

// CreateGroup plans POST /api/v1/groups: a new OKTA_GROUP with profile.
func (c *Client) CreateGroup(profile map[string]any) *Write {
	m := map[string]any{"profile": profile}
	return &Write{Method: "POST", Path: "/api/v1/groups", Body: body(m), send: func(ctx context.Context) error {
		_, _, err := c.api().GroupAPI.CreateGroup(ctx).Group(sdk.Group{AdditionalProperties: m}).Execute()
		return err
	}}
}

// ReplaceGroup plans PUT /api/v1/groups/{id}: profile is the whole new
// profile (OKTA_GROUP only).
func (c *Client) ReplaceGroup(id string, profile map[string]any) *Write {
	m := map[string]any{"profile": profile}
	return &Write{Method: "PUT", Path: groupPath(id, ""), Body: body(m), send: func(ctx context.Context) error {
		_, _, err := c.api().GroupAPI.ReplaceGroup(ctx, id).Group(sdk.Group{AdditionalProperties: m}).Execute()
		return err
	}}
}

// DeleteGroup plans DELETE /api/v1/groups/{id} (OKTA_GROUP only).
func (c *Client) DeleteGroup(id string) *Write {
	return &Write{Method: "DELETE", Path: groupPath(id, ""), send: func(ctx context.Context) error {
		_, err := c.api().GroupAPI.DeleteGroup(ctx, id).Execute()
		return err
	}}
}

// AddGroupMember plans PUT /api/v1/groups/{groupId}/users/{userId}.
func (c *Client) AddGroupMember(groupID, userID string) *Write {
	return &Write{Method: "PUT", Path: groupPath(groupID, "/users/"+url.PathEscape(userID)), send: func(ctx context.Context) error {
		_, err := c.api().GroupAPI.AssignUserToGroup(ctx, groupID, userID).Execute()
		return err
	}}
}

// RemoveGroupMember plans DELETE /api/v1/groups/{groupId}/users/{userId}.
func (c *Client) RemoveGroupMember(groupID, userID string) *Write {
	return &Write{Method: "DELETE", Path: groupPath(groupID, "/users/"+url.PathEscape(userID)), send: func(ctx context.Context) error {
		_, err := c.api().GroupAPI.UnassignUserFromGroup(ctx, groupID, userID).Execute()
		return err
	}}
}
