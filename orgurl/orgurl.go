// Package orgurl checks and normalises an Okta org URL, the one rule every
// part of okta-mcp applies before a credential is sent anywhere: https, or
// http for a loopback host only, and nothing but scheme, host and port.
package orgurl

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Normalize checks an org URL and returns it as scheme://host[:port].
// "" (after trimming) is allowed and means not set. https is required, http
// is allowed only for a loopback host; no path beyond "/", query, fragment
// or user info. The host is lower-cased and a default port dropped.
func Normalize(text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", nil
	}
	// The URL parser forgets an empty query ("x?") or fragment ("x#").
	if strings.Contains(text, "?") {
		return "", errors.New("has a query")
	}
	if strings.Contains(text, "#") {
		return "", errors.New("has a fragment")
	}
	u, err := url.Parse(text)
	if err != nil {
		return "", errors.New("not a URL")
	}
	if u.Scheme == "" || u.Opaque != "" || (u.Host == "" && u.User == nil) {
		return "", errors.New("not an absolute URL; include https://")
	}
	if u.User != nil {
		return "", errors.New("has user info")
	}
	if u.Path != "" && u.Path != "/" {
		return "", errors.New("has a path")
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", errors.New("no host")
	}
	port := u.Port()
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", errors.New("bad port")
		}
		port = strconv.Itoa(n)
	}
	addr, ipErr := netip.ParseAddr(host)
	isIP := ipErr == nil
	if isIP {
		if addr.Zone() != "" {
			return "", errors.New("IPv6 zone not allowed")
		}
		host = addr.String()
	} else if !validHostname(host) {
		return "", errors.New("bad host name")
	}
	loopback := host == "localhost" || (isIP && addr.IsLoopback())
	switch u.Scheme {
	case "https":
		if port == "443" {
			port = ""
		}
	case "http":
		if !loopback {
			return "", errors.New("http is allowed only for a loopback host; use https")
		}
		if port == "80" {
			port = ""
		}
	default:
		return "", errors.New("scheme must be https")
	}
	if isIP && addr.Is6() {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return u.Scheme + "://" + host, nil
}

// validHostname accepts DNS names of letters, digits and hyphens (ASCII;
// give an internationalised name in its xn-- form).
func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			ch := label[i]
			if !(ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-') {
				return false
			}
		}
	}
	return true
}
