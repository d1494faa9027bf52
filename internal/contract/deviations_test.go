package contract

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// fullEvent has no nulls at all: every deviation test sets one field to null.
const fullEvent = `{
  "uuid": "a67b4d9d-3a52-11eb-bf93-a70040ee6585",
  "published": "2024-06-17T22:00:56.423Z",
  "eventType": "user.session.start",
  "version": "0",
  "severity": "INFO",
  "legacyEventType": "core.user_auth.login_success",
  "displayMessage": "User login to Okta",
  "actor": {"id": "00u1a2b3c4d5e", "type": "User", "alternateId": "jane.doe@company.com", "displayName": "Jane Doe", "detailEntry": {"x": "y"}},
  "client": {
    "userAgent": {"rawUserAgent": "Mozilla/5.0", "os": "Mac OS X", "browser": "CHROME"},
    "zone": "null", "device": "Computer", "id": "0oa1", "ipAddress": "203.0.113.7",
    "geographicalContext": {"city": "Toronto", "state": "Ontario", "country": "Canada", "postalCode": "M6B", "geolocation": {"lat": 43.7, "lon": -79.4}}
  },
  "outcome": {"result": "SUCCESS", "reason": "OK"},
  "target": [{"id": "0oa9", "type": "AppInstance", "alternateId": "app", "displayName": "App", "detailEntry": {"a": "b"}}],
  "transaction": {"type": "WEB", "id": "reqAp3j9gGSRYK", "detail": {}},
  "debugContext": {"debugData": {"requestUri": "/idp/idx/identify"}},
  "authenticationContext": {"authenticationProvider": "FACTOR_PROVIDER", "credentialProvider": "OKTA_CREDENTIAL_PROVIDER", "credentialType": "PASSWORD", "issuer": {"id": "aus1", "type": "AuthorizationServer"}, "interface": "Okta Verify", "authenticationStep": 0, "externalSessionId": "102abcDEF"},
  "securityContext": {"asNumber": 64496, "asOrg": "example", "isp": "example isp", "domain": "example.net", "isProxy": false},
  "request": {"ipChain": [{"ip": "203.0.113.7", "geographicalContext": {"city": "Toronto", "state": "Ontario", "country": "Canada", "postalCode": "M6B", "geolocation": {"lat": 43.7, "lon": -79.4}}, "version": "V4", "source": "x"}]}
}`

// wherePath maps each schema that appears in Deviations to the JSON path of one of its
// instances in a sample, so that every deviation is tested.
var wherePath = map[string]struct {
	op     string // "logs" or "groups"
	prefix []string
}{
	"LogEvent":                 {"logs", nil},
	"LogActor":                 {"logs", []string{"actor"}},
	"LogTarget":                {"logs", []string{"target", "0"}},
	"LogAuthenticationContext": {"logs", []string{"authenticationContext"}},
	"LogClient":                {"logs", []string{"client"}},
	"LogGeographicalContext":   {"logs", []string{"client", "geographicalContext"}},
	"LogIpAddress":             {"logs", []string{"request", "ipChain", "0"}},
	"LogOutcome":               {"logs", []string{"outcome"}},
	"LogTransaction":           {"logs", []string{"transaction"}},
	"LogSecurityContext":       {"logs", []string{"securityContext"}},
	"GroupProfile":             {"groups", []string{"profile"}},
}

// setNull returns the sample as a one-element JSON array, with the value at path
// replaced by null.
func setNull(t *testing.T, sample string, path []string) []byte {
	t.Helper()
	var root any
	if err := json.Unmarshal([]byte(sample), &root); err != nil {
		t.Fatal(err)
	}
	if len(path) > 0 {
		cur := root
		for i, k := range path {
			last := i == len(path)-1
			switch c := cur.(type) {
			case map[string]any:
				if _, ok := c[k]; !ok {
					t.Fatalf("sample has no %s", strings.Join(path[:i+1], "."))
				}
				if last {
					c[k] = nil
				} else {
					cur = c[k]
				}
			case []any:
				n, err := strconv.Atoi(k)
				if err != nil || n >= len(c) {
					t.Fatalf("bad index %q in %v", k, path)
				}
				if last {
					c[n] = nil
				} else {
					cur = c[n]
				}
			default:
				t.Fatalf("cannot descend into %v at %q", path, k)
			}
		}
	}
	b, err := json.Marshal([]any{root})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sampleFor(t *testing.T, op string) (*http.Request, string) {
	t.Helper()
	switch op {
	case "logs":
		return get(http.MethodGet, "/api/v1/logs"), fullEvent
	case "groups":
		var groups []json.RawMessage
		if err := json.Unmarshal([]byte(groupsPage), &groups); err != nil {
			t.Fatal(err)
		}
		g := strings.Replace(string(groups[0]), `"description": null`, `"description": "AWS admins"`, 1)
		return get(http.MethodGet, "/api/v1/groups"), g
	}
	t.Fatalf("no sample for %q", op)
	return nil, ""
}

func TestDeviationSamplesAreValid(t *testing.T) {
	v := validator(t)
	for _, op := range []string{"logs", "groups"} {
		req, sample := sampleFor(t, op)
		if err := v.ValidateResponse(req, 200, jsonHeader(), setNull(t, sample, nil)); err != nil {
			t.Fatalf("base %s sample is invalid: %v", op, err)
		}
	}
}

// Every admitted null is accepted where the table says, and nowhere else: a null in a
// sibling property of the same schema is still a violation.
func TestEachDeviationIsAdmittedExactly(t *testing.T) {
	v := validator(t)
	admitted := map[string]bool{}
	for _, d := range Deviations {
		if d.Reason == "" {
			t.Errorf("deviation %s %s has no reason", d.Kind, d.Where)
		}
		if d.Kind != NullValue {
			continue
		}
		admitted[d.Where] = true
		schema, prop, err := splitWhere(d.Where)
		if err != nil {
			t.Fatal(err)
		}
		wp, ok := wherePath[schema]
		if !ok {
			t.Errorf("deviation %s: add %s to wherePath so it is tested", d.Where, schema)
			continue
		}
		req, sample := sampleFor(t, wp.op)
		body := setNull(t, sample, append(append([]string(nil), wp.prefix...), prop))
		if err := v.ValidateResponse(req, 200, jsonHeader(), body); err != nil {
			t.Errorf("deviation %s: null not admitted: %v", d.Where, err)
		}
	}

	// Siblings not in the table stay non-nullable.
	for schema, wp := range wherePath {
		s := v.Doc().Components.Schemas[schema].Value
		req, sample := sampleFor(t, wp.op)
		checked, all := 0, true
		for prop := range s.Properties {
			if !admitted[schema+"."+prop] {
				all = false
			}
			where := schema + "." + prop
			if admitted[where] || s.Properties[prop].Value.Nullable {
				continue
			}
			path := append(append([]string(nil), wp.prefix...), prop)
			var probe any
			if err := json.Unmarshal([]byte(sample), &probe); err != nil {
				t.Fatal(err)
			}
			if !has(probe, path) {
				continue // the sample does not carry it
			}
			checked++
			err := v.ValidateResponse(req, 200, jsonHeader(), setNull(t, sample, path))
			if err == nil || !strings.Contains(err.Error(), "not nullable") {
				t.Errorf("%s is not in Deviations, yet null is accepted (err %v)", where, err)
			}
		}
		if checked == 0 && !all {
			t.Errorf("%s: no non-admitted property tested", schema)
		}
	}
}

func has(v any, path []string) bool {
	for _, k := range path {
		switch c := v.(type) {
		case map[string]any:
			x, ok := c[k]
			if !ok {
				return false
			}
			v = x
		case []any:
			n, err := strconv.Atoi(k)
			if err != nil || n >= len(c) {
				return false
			}
			v = c[n]
		default:
			return false
		}
	}
	return true
}

// A $ref'd property is made nullable at that one use only.
func TestNullableRefStaysLocal(t *testing.T) {
	doc := &openapi3.T{Components: &openapi3.Components{Schemas: openapi3.Schemas{
		"Geo": {Value: &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
			"city": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
		}}},
	}}}
	geo := doc.Components.Schemas["Geo"]
	doc.Components.Schemas["Client"] = &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
		"geo": {Ref: "#/components/schemas/Geo", Value: geo.Value},
	}}}
	doc.Components.Schemas["Request"] = &openapi3.SchemaRef{Value: &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{
		"geo": {Ref: "#/components/schemas/Geo", Value: geo.Value},
	}}}
	if err := applyDeviations(doc, []Deviation{
		{Kind: NullValue, Where: "Client.geo", Reason: "r"},
		{Kind: NullValue, Where: "Geo.city", Reason: "r"},
	}); err != nil {
		t.Fatal(err)
	}
	client := doc.Components.Schemas["Client"].Value
	request := doc.Components.Schemas["Request"].Value
	if err := client.VisitJSON(map[string]any{"geo": nil}); err != nil {
		t.Errorf("Client.geo null: %v", err)
	}
	if err := request.VisitJSON(map[string]any{"geo": nil}); err == nil {
		t.Error("Request.geo null accepted: the deviation leaked to another use of Geo")
	}
	// Geo.city applies to every use, including the copy made for Client.geo.
	for name, s := range map[string]*openapi3.Schema{"Client": client, "Request": request} {
		if err := s.VisitJSON(map[string]any{"geo": map[string]any{"city": nil}}); err != nil {
			t.Errorf("%s.geo.city null: %v", name, err)
		}
	}
	if geo.Value.Nullable {
		t.Error("the referenced schema itself became nullable")
	}
}

func TestStaleTableIsAnError(t *testing.T) {
	mk := func() *openapi3.T {
		return &openapi3.T{Components: &openapi3.Components{Schemas: openapi3.Schemas{
			"S": {Value: &openapi3.Schema{Properties: openapi3.Schemas{
				"a": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}}},
				"n": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Nullable: true}},
				"k": {Value: &openapi3.Schema{Type: &openapi3.Types{"string"}, Extensions: map[string]any{"x-okta-known-values": []any{"A", "B"}}}},
			}}},
		}}}
	}
	for _, c := range []struct {
		devs []Deviation
		want string
	}{
		{[]Deviation{{Kind: NullValue, Where: "S.gone"}}, "no property"},
		{[]Deviation{{Kind: NullValue, Where: "Nope.a"}}, "no schema"},
		{[]Deviation{{Kind: NullValue, Where: "S.n"}}, "already nullable"},
		{[]Deviation{{Kind: NullValue, Where: "S.a"}, {Kind: NullValue, Where: "S.a"}}, "twice"},
		{[]Deviation{{Kind: NullValue, Where: "S"}}, "want Schema.property"},
		{[]Deviation{{Kind: EmptyBody, Where: "403"}}, "WWWAuthenticateError"},
		{[]Deviation{{Kind: "other", Where: "S.a"}}, "unknown kind"},
	} {
		err := applyDeviations(mk(), c.devs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("applyDeviations(%v) = %v, want error containing %q", c.devs, err, c.want)
		}
	}
	if err := applyKnownValues(mk(), []KnownValue{{Where: "S.a"}}); err == nil || !strings.Contains(err.Error(), "no x-okta-known-values") {
		t.Errorf("known values on a property without them: %v", err)
	}
	doc := mk()
	if err := applyKnownValues(doc, []KnownValue{{Where: "S.k"}}); err != nil {
		t.Fatal(err)
	}
	k := doc.Components.Schemas["S"].Value.Properties["k"].Value
	if k.VisitJSON("A") != nil || k.VisitJSON("C") == nil {
		t.Errorf("enum from known values: A → %v, C → %v", k.VisitJSON("A"), k.VisitJSON("C"))
	}
}

func TestKnownValuesEnforced(t *testing.T) {
	v := validator(t)
	for _, kv := range KnownValues {
		_, _, ref, err := property(v.Doc(), kv.Where)
		if err != nil {
			t.Fatal(err)
		}
		if len(ref.Value.Enum) == 0 {
			t.Errorf("%s: no enum after Load", kv.Where)
		}
		if kv.Reason == "" {
			t.Errorf("%s: no reason", kv.Where)
		}
	}
	body := strings.Replace(groupsPage, `"type": "OKTA_GROUP"`, `"type": "SECURITY_GROUP"`, 1)
	err := v.ValidateResponse(get(http.MethodGet, "/api/v1/groups"), 200, jsonHeader(), []byte(body))
	wantProblems(t, err, "listGroups", "body[0].type", `"SECURITY_GROUP"`)
}
