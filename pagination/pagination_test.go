package pagination

import (
	"encoding/base64"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNextAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		lines  []string
		host   string
		want   string
		offOrg bool // an *OffOrgError
	}{
		{"separate lines", []string{`<https://acme.okta.com/api/v1/users?limit=2>; rel="self"`, `<https://acme.okta.com/api/v1/users?after=00u2&limit=2>; rel="next"`}, "acme.okta.com", "00u2", false},
		{"comma joined", []string{`<https://acme.okta.com/api/v1/users?limit=2>; rel="self", <https://acme.okta.com/api/v1/users?after=00u3&limit=2>; rel="next"`}, "acme.okta.com", "00u3", false},
		{"self only", []string{`<https://acme.okta.com/api/v1/users?limit=2>; rel="self"`}, "acme.okta.com", "", false},
		{"none", nil, "acme.okta.com", "", false},
		{"other host refused", []string{`<https://evil.example/api/v1/users?after=00u9>; rel="next"`}, "acme.okta.com", "", true},
		{"other host refused, org link kept", []string{`<https://evil.example/api/v1/users?after=00u9>; rel="next"`, `<https://acme.okta.com/api/v1/users?after=00u8>; rel="next"`}, "acme.okta.com", "00u8", false},
		{"self on other host is no next link", []string{`<https://evil.example/api/v1/users?limit=2>; rel="self"`}, "acme.okta.com", "", false},
		{"port kept in host check", []string{`<http://127.0.0.1:8080/api/v1/users?after=x1>; rel="next"`}, "127.0.0.1:8080", "x1", false},
		{"wrong port refused", []string{`<http://127.0.0.1:9/api/v1/users?after=x1>; rel="next"`}, "127.0.0.1:8080", "", true},
		{"relative link", []string{`</api/v1/users?after=r1>; rel="next"`}, "acme.okta.com", "r1", false},
		{"unquoted rel", []string{`<https://acme.okta.com/api/v1/users?after=u1>; rel=next`}, "acme.okta.com", "u1", false},
		{"comma inside url", []string{`<https://acme.okta.com/api/v1/logs?after=a,b&x=1>; rel="next"`}, "acme.okta.com", "a,b", false},
		{"next without after", []string{`<https://acme.okta.com/api/v1/users?limit=2>; rel="next"`}, "acme.okta.com", "", false},
		{"garbage", []string{`not a link`, `<unterminated; rel="next"`}, "acme.okta.com", "", false},
		{"scheme without host refused", []string{`<https://user@/api/v1/users?after=1>; rel="next"`}, "acme.okta.com", "", true},
		{"escaped after", []string{`<https://acme.okta.com/api/v1/logs?after=1%3A2>; rel="next"`}, "acme.okta.com", "1:2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for _, l := range tt.lines {
				h.Add("Link", l)
			}
			got, err := NextAfter(h, tt.host)
			var oe *OffOrgError
			if got != tt.want || tt.offOrg != (err != nil) || (err != nil && (!errors.As(err, &oe) || oe.OrgHost != tt.host)) {
				t.Fatalf("NextAfter = %q, %v; want %q, off the org %v", got, err, tt.want, tt.offOrg)
			}
		})
	}
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	q := map[string]string{"after": "00u123", "search": `profile.department eq "Engineering"`, "limit": "50"}
	c := Encode("list_all_okta_users", q)
	if strings.ContainsAny(c, "+/=") {
		t.Fatalf("cursor %q is not base64url without padding", c)
	}
	got, err := Decode("list_all_okta_users", c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(q) {
		t.Fatalf("got %v, want %v", got, q)
	}
	for k, v := range q {
		if got[k] != v {
			t.Fatalf("key %s: got %q want %q", k, got[k], v)
		}
	}
}

func TestCursorRejected(t *testing.T) {
	t.Parallel()
	good := Encode("list_all_okta_users", map[string]string{"after": "00u1"})
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	tampered := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "00u1", "00u2", 1)))
	v2 := base64.RawURLEncoding.EncodeToString([]byte(`{"v":2,"t":"list_all_okta_users","q":{}}`))
	tests := []struct {
		name, tool, cursor, want string
	}{
		{"other tool", "list_all_okta_groups", good, "belongs to tool"},
		{"truncated", "list_all_okta_users", good[:len(good)-6], "next_cursor"},
		{"tampered", "list_all_okta_users", tampered, "altered"},
		{"not base64", "list_all_okta_users", "!!!", "bad encoding"},
		{"empty json", "list_all_okta_users", base64.RawURLEncoding.EncodeToString([]byte(`{}`)), "version"},
		{"future version", "list_all_okta_users", v2, "version 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode(tt.tool, tt.cursor)
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode error = %v; want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

// FuzzDecode: no input makes Decode panic or return a nil query; every
// error wraps ErrInvalid; whatever decodes re-encodes to the same query and
// is refused for another tool.
func FuzzDecode(f *testing.F) {
	f.Add(Encode("t", map[string]string{"after": "x"}))
	f.Add(Encode("t", nil))
	f.Add(Encode("u", map[string]string{"after": "x"}))
	f.Add("")
	f.Add("eyJ2IjoxfQ")
	f.Add("eyJ2IjoyLCJ0IjoidCIsInEiOnt9fQ")
	f.Add("====")
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Decode("t", s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if q == nil {
			t.Fatal("nil query without error")
		}
		q2, err := Decode("t", Encode("t", q))
		if err != nil || !maps.Equal(q, q2) {
			t.Fatalf("re-encoded %v decodes to %v, %v", q, q2, err)
		}
		if _, err := Decode("other", s); err == nil {
			t.Fatal("a cursor of tool t decodes for another tool")
		}
	})
}

// FuzzCursorRoundTrip: any query survives Encode and Decode unchanged; the
// cursor is URL-safe text; a truncated cursor or another tool's is refused.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Add("list_all_okta_users", "search", `profile.department eq "Eng"`, "00u2")
	f.Add("t", "", "", "")
	f.Add("\x00", "after", "\xff\\\"", "\u2028")
	f.Fuzz(func(t *testing.T, tool, key, value, after string) {
		if !utf8.ValidString(tool) {
			return // tool names are the catalog's ASCII names
		}
		q := map[string]string{"after": after, key: value}
		c := Encode(tool, q)
		if strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("cursor %q is not base64url", c)
		}
		got, err := Decode(tool, c)
		// JSON carries strings as UTF-8: invalid bytes come back as U+FFFD.
		want := map[string]string{}
		for k, v := range q {
			want[strings.ToValidUTF8(k, "\uFFFD")] = strings.ToValidUTF8(v, "\uFFFD")
		}
		if err != nil || !maps.Equal(got, want) {
			t.Fatalf("Decode(Encode(%q)) = %q, %v", q, got, err)
		}
		if _, err := Decode(tool+"x", c); err == nil {
			t.Fatal("decoded for another tool")
		}
		for _, cut := range []int{1, len(c) / 2, len(c) - 1} {
			if _, err := Decode(tool, c[:cut]); err == nil {
				t.Fatalf("truncated cursor %q decoded", c[:cut])
			}
		}
	})
}

// FuzzNextAfter: no Link header makes NextAfter panic, or return both an
// after value and an error.
func FuzzNextAfter(f *testing.F) {
	f.Add(`<https://a.okta.com/api/v1/users?after=1>; rel="next"`)
	f.Add(`<x>; rel="self", <y?after=2>; rel=next`)
	f.Add(`<https://evil.example/api/v1/users?after=1>; rel="next", </api/v1/users?after=2>; rel="next"`)
	f.Add(`<https://a.okta.com/x?after=%zz>; rel="next"`)
	f.Add(`<https://a.okta.com:443/x?after=1>; rel="self next"`)
	f.Add(`<https://a.okta.com/x?after=1>; rel="ne,xt"; title="a\"b,c"`)
	f.Fuzz(func(t *testing.T, s string) {
		h := http.Header{"Link": {s}}
		if after, err := NextAfter(h, "a.okta.com"); after != "" && err != nil {
			t.Fatalf("after %q with error %v", after, err)
		}
	})
}

// FuzzNextAfterHost: a next link is followed only when it points to the
// configured org, and then its after value is kept intact; any other
// absolute link is refused with an error.
func FuzzNextAfterHost(f *testing.F) {
	f.Add("a.okta.com", "00u2")
	f.Add("A.OKTA.COM", "x y")
	f.Add("evil.example", "00u2")
	f.Add("a.okta.com.evil.example", "1")
	f.Add("a.okta.com@evil.example", "1")
	f.Add("evil.example#a.okta.com", "1")
	f.Add("", "1")
	f.Add("a.okta.com:8443", "1")
	f.Fuzz(func(t *testing.T, host, after string) {
		if strings.ContainsAny(host, "<>,;\" \t\r\n/?") {
			return // not one URL authority inside one link
		}
		target := "https://" + host + "/api/v1/users?limit=2&after=" + url.QueryEscape(after)
		u, perr := url.Parse(target)
		got, err := NextAfter(http.Header{"Link": {"<" + target + `>; rel="next"`}}, "a.okta.com")
		onOrg := perr == nil && strings.EqualFold(u.Host, "a.okta.com")
		if got != "" && !onOrg {
			t.Fatalf("followed a next link to %q (parsed host %q)", host, u.Host)
		}
		if !onOrg && err == nil {
			t.Fatalf("a next link to %q (parsed host %q) was not refused", host, u.Host)
		}
		if onOrg && after != "" && u.Query().Get("after") == after && (err != nil || got != after) {
			t.Fatalf("next link on the org with after %q gave %q, %v", after, got, err)
		}
	})
}
