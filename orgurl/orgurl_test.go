package orgurl

import "testing"

func TestNormalize(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"https://Acme.Okta.com/":          "https://acme.okta.com",
		"https://acme.okta.com:443":       "https://acme.okta.com",
		"https://acme.okta.com:8443":      "https://acme.okta.com:8443",
		"http://127.0.0.1:8080":           "http://127.0.0.1:8080",
		"http://localhost:9":              "http://localhost:9",
		"http://[::1]:1234":               "http://[::1]:1234",
		"  https://acme.oktapreview.com ": "https://acme.oktapreview.com",
		"":                                "",
	}
	for in, want := range good {
		if got, err := Normalize(in); err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"acme.okta.com", "http://acme.okta.com", "ftp://acme.okta.com", "https://u:p@acme.okta.com",
		"https://acme.okta.com/api", "https://acme.okta.com?", "https://acme.okta.com#x", "http://10.0.0.1", "https://acme_okta.com", "https://acme.okta.com:0"} {
		if got, err := Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", bad, got)
		}
	}
}
