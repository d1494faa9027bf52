package okta

import (
	"context"
	"encoding/json"
	"net/url"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/okta-mcp/okta-mcp/pagination"
)

// Principal is who holds admin roles: a user or a group, by ID.
type Principal struct {
	Group bool
	ID    string
}

// rolesPath is /api/v1/{users|groups}/{id}/roles plus rest.
func (p Principal) rolesPath(rest string) string {
	kind := "/api/v1/users/"
	if p.Group {
		kind = "/api/v1/groups/"
	}
	return kind + url.PathEscape(p.ID) + "/roles" + rest
}

// ListRoles fetches the role assignments of a user (its own and those it
// holds through groups) or of a group. Okta does not page this list.
func (c *Client) ListRoles(ctx context.Context, p Principal) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		var err error
		if p.Group {
			_, _, err = c.api().RoleAssignmentAPI.ListGroupAssignedRoles(ctx, p.ID).Execute()
		} else {
			_, _, err = c.api().RoleAssignmentAPI.ListAssignedRolesForUser(ctx, p.ID).Execute()
		}
		return err
	})
}

// GetRole fetches one role assignment of a user or a group.
func (c *Client) GetRole(ctx context.Context, p Principal, assignmentID string) (*Response, error) {
	return c.do(ctx, func(ctx context.Context) error {
		var err error
		if p.Group {
			_, _, err = c.api().RoleAssignmentAPI.GetGroupAssignedRole(ctx, p.ID, assignmentID).Execute()
		} else {
			_, _, err = c.api().RoleAssignmentAPI.GetUserAssignedRole(ctx, p.ID, assignmentID).Execute()
		}
		return err
	})
}

// RoleGrant is what a role assignment gives: a standard Type, or Type
// CUSTOM with a custom Role and a ResourceSet (IDs).
type RoleGrant struct {
	Type, Role, ResourceSet string
}

// AssignRole plans POST /api/v1/{users|groups}/{id}/roles. The SDK's
// AssignRoleRequest has only Type, so the whole body (with "role" and
// "resource-set" for custom roles) goes through AdditionalProperties.
func (c *Client) AssignRole(p Principal, g RoleGrant) *Write {
	m := map[string]any{"type": g.Type}
	if g.Role != "" {
		m["role"] = g.Role
	}
	if g.ResourceSet != "" {
		m["resource-set"] = g.ResourceSet
	}
	return &Write{Method: "POST", Path: p.rolesPath(""), Body: body(m), send: func(ctx context.Context) error {
		req := sdk.AssignRoleRequest{AdditionalProperties: m}
		var err error
		if p.Group {
			_, _, err = c.api().RoleAssignmentAPI.AssignRoleToGroup(ctx, p.ID).AssignRoleRequest(req).Execute()
		} else {
			_, _, err = c.api().RoleAssignmentAPI.AssignRoleToUser(ctx, p.ID).AssignRoleRequest(req).Execute()
		}
		return err
	}}
}

// UnassignRole plans DELETE /api/v1/{users|groups}/{id}/roles/{assignmentId}.
func (c *Client) UnassignRole(p Principal, assignmentID string) *Write {
	return &Write{Method: "DELETE", Path: p.rolesPath("/" + url.PathEscape(assignmentID)), send: func(ctx context.Context) error {
		var err error
		if p.Group {
			_, err = c.api().RoleAssignmentAPI.UnassignRoleFromGroup(ctx, p.ID, assignmentID).Execute()
		} else {
			_, err = c.api().RoleAssignmentAPI.UnassignRoleFromUser(ctx, p.ID, assignmentID).Execute()
		}
		return err
	}}
}

// ListCustomRoles fetches one page of GET /api/v1/iam/roles
// ({"roles": [...], "_links": {"next": ...}}). Okta pages it in the body;
// NextAfter is taken from there.
func (c *Client) ListCustomRoles(ctx context.Context, after string) (*Response, error) {
	resp, err := c.do(ctx, func(ctx context.Context) error {
		r := c.api().RoleAPI.ListRoles(ctx)
		if after != "" {
			r = r.After(after)
		}
		_, _, err := r.Execute()
		return err
	})
	return c.bodyPaged(resp, err)
}

// ListResourceSets fetches one page of GET /api/v1/iam/resource-sets
// ({"resource-sets": [...], "_links": {"next": ...}}), paged in the body.
func (c *Client) ListResourceSets(ctx context.Context, after string) (*Response, error) {
	resp, err := c.do(ctx, func(ctx context.Context) error {
		r := c.api().ResourceSetAPI.ListResourceSets(ctx)
		if after != "" {
			r = r.After(after)
		}
		_, _, err := r.Execute()
		return err
	})
	return c.bodyPaged(resp, err)
}

func (c *Client) bodyPaged(resp *Response, err error) (*Response, error) {
	if err != nil {
		return nil, err
	}
	if resp.NextAfter == "" {
		after, err := bodyNextAfter(resp.Body, c.orgHost)
		if err != nil {
			return nil, foreignNext(err, resp.RequestID, resp.Rate)
		}
		resp.NextAfter = after
	}
	return resp, nil
}

// bodyNextAfter returns the "after" value of a body's _links.next.href. As
// with Link headers (pagination.NextAfter), the href itself is never
// followed, and one that points to a host other than orgHost is an error.
func bodyNextAfter(b []byte, orgHost string) (string, error) {
	var doc struct {
		Links struct {
			Next json.RawMessage `json:"next"`
		} `json:"_links"`
	}
	if json.Unmarshal(b, &doc) != nil || len(doc.Links.Next) == 0 {
		return "", nil
	}
	var next struct {
		Href string `json:"href"`
	}
	if json.Unmarshal(doc.Links.Next, &next) != nil || next.Href == "" {
		return "", nil
	}
	return pagination.AfterOf(next.Href, orgHost)
}
