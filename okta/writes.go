package okta

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"
)

// Write is one planned write: exactly what it will send, and how. The
// description and the SDK call are built from the same inputs in one place,
// so a dry run shows the request a real run sends.
type Write struct {
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Query  map[string]string `json:"query,omitempty"`
	Body   json.RawMessage   `json:"body,omitempty"`
	send   func(ctx context.Context) error
}

// Send performs w. POST/PUT/DELETE are retried only on 429 (Okta did not
// process them), by the rate-limit transport.
func (c *Client) Send(ctx context.Context, w *Write) (*Response, error) {
	return c.do(ctx, w.send)
}

// body marshals a request body once; the SDK marshals the same map through
// AdditionalProperties, so the bytes match. A map[string]any always
// marshals, and keys come out sorted in both.
func body(m map[string]any) json.RawMessage {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

func userPath(id string, rest string) string { return "/api/v1/users/" + url.PathEscape(id) + rest }

// CreateUser plans POST /api/v1/users?activate=: profile, optional group IDs.
func (c *Client) CreateUser(profile map[string]any, groupIDs []string, activate bool) *Write {
	m := map[string]any{"profile": profile}
	if len(groupIDs) > 0 {
		m["groupIds"] = groupIDs
	}
	return &Write{Method: "POST", Path: "/api/v1/users", Query: map[string]string{"activate": strconv.FormatBool(activate)}, Body: body(m),
		send: func(ctx context.Context) error {
			_, _, err := c.api().UserAPI.CreateUser(ctx).Body(sdk.CreateUserRequest{AdditionalProperties: m}).Activate(activate).Execute()
			return err
		}}
}

// UpdateUser plans a partial update, POST /api/v1/users/{id}: only the given
// profile fields change (null clears one).
func (c *Client) UpdateUser(id string, profile map[string]any) *Write {
	m := map[string]any{"profile": profile}
	return &Write{Method: "POST", Path: userPath(id, ""), Body: body(m), send: func(ctx context.Context) error {
		_, _, err := c.api().UserAPI.UpdateUser(ctx, id).User(sdk.UpdateUserRequest{AdditionalProperties: m}).Execute()
		return err
	}}
}

// ReplaceUser plans a full replace, PUT /api/v1/users/{id}: profile
// properties not given are removed.
func (c *Client) ReplaceUser(id string, profile map[string]any) *Write {
	m := map[string]any{"profile": profile}
	return &Write{Method: "PUT", Path: userPath(id, ""), Body: body(m), send: func(ctx context.Context) error {
		_, _, err := c.api().UserAPI.ReplaceUser(ctx, id).User(sdk.User{AdditionalProperties: m}).Execute()
		return err
	}}
}

// DeleteUser plans DELETE /api/v1/users/{id}: on a user that is not
// DEPROVISIONED, Okta deactivates instead of deleting.
func (c *Client) DeleteUser(id string) *Write {
	return &Write{Method: "DELETE", Path: userPath(id, ""), send: func(ctx context.Context) error {
		_, err := c.api().UserAPI.DeleteUser(ctx, id).Execute()
		return err
	}}
}

// Lifecycle operations of POST /api/v1/users/{id}/lifecycle/{op}.
const (
	OpActivate       = "activate"
	OpReactivate     = "reactivate"
	OpDeactivate     = "deactivate"
	OpSuspend        = "suspend"
	OpUnsuspend      = "unsuspend"
	OpUnlock         = "unlock"
	OpExpirePassword = "expire_password"
	OpResetPassword  = "reset_password"
)

// Lifecycle plans a lifecycle operation. sendEmail is sent for activate,
// reactivate, deactivate and reset_password, where Okta accepts it.
func (c *Client) Lifecycle(id, op string, sendEmail bool) *Write {
	w := &Write{Method: "POST", Path: userPath(id, "/lifecycle/"+op)}
	se := strconv.FormatBool(sendEmail)
	switch op {
	case OpActivate:
		w.Query = map[string]string{"sendEmail": se}
		w.send = func(ctx context.Context) error {
			_, _, err := c.api().UserAPI.ActivateUser(ctx, id).SendEmail(sendEmail).Execute()
			return err
		}
	case OpReactivate:
		w.Query = map[string]string{"sendEmail": se}
		w.send = func(ctx context.Context) error {
			_, _, err := c.api().UserAPI.ReactivateUser(ctx, id).SendEmail(sendEmail).Execute()
			return err
		}
	case OpDeactivate:
		w.Query = map[string]string{"sendEmail": se}
		w.send = func(ctx context.Context) error {
			_, err := c.api().UserAPI.DeactivateUser(ctx, id).SendEmail(sendEmail).Execute()
			return err
		}
	case OpSuspend:
		w.send = func(ctx context.Context) error { _, err := c.api().UserAPI.SuspendUser(ctx, id).Execute(); return err }
	case OpUnsuspend:
		w.send = func(ctx context.Context) error {
			_, err := c.api().UserAPI.UnsuspendUser(ctx, id).Execute()
			return err
		}
	case OpUnlock:
		w.send = func(ctx context.Context) error { _, err := c.api().UserAPI.UnlockUser(ctx, id).Execute(); return err }
	case OpExpirePassword:
		w.send = func(ctx context.Context) error {
			_, _, err := c.api().UserAPI.ExpirePassword(ctx, id).Execute()
			return err
		}
	case OpResetPassword:
		w.Query = map[string]string{"sendEmail": se}
		w.send = func(ctx context.Context) error {
			_, _, err := c.api().UserAPI.GenerateResetPasswordToken(ctx, id).SendEmail(sendEmail).Execute()
			return err
		}
	default:
		panic("okta: unknown lifecycle operation " + op)
	}
	return w
}

// ClearSessions plans DELETE /api/v1/users/{id}/sessions.
func (c *Client) ClearSessions(id string, oauthTokens bool) *Write {
	return &Write{Method: "DELETE", Path: userPath(id, "/sessions"), Query: map[string]string{"oauthTokens": strconv.FormatBool(oauthTokens)},
		send: func(ctx context.Context) error {
			_, err := c.api().UserAPI.RevokeUserSessions(ctx, id).OauthTokens(oauthTokens).Execute()
			return err
		}}
}
