package tools

import (
	"encoding/json"
	"testing"
)

func TestProjection(t *testing.T) {
	t.Parallel()
	event := `{"uuid":"u1","debugContext":{"debugData":{"requestUri":"/x","url":"/x?"}},
		"actor":{"id":"00u1","type":"User","alternateId":"a@b.c","displayName":"A","detailEntry":null},
		"client":{"ipAddress":"192.0.2.1","geographicalContext":null,"userAgent":{"rawUserAgent":"curl","os":"Linux"}},
		"target":[{"id":"0oa1","type":"AppInstance","alternateId":"AWS","displayName":"AWS","detailEntry":{"k":"v"}},
		          null, "odd", {"id":"00g1","type":"UserGroup","changeDetails":{}}],
		"_links":{"self":{"href":"x"}}}`
	cases := []struct {
		name        string
		base, extra []string
		in, want    string
	}{
		{"nested objects", []string{"uuid", "actor.id", "client.userAgent.rawUserAgent"}, nil, event,
			`{"uuid":"u1","actor":{"id":"00u1"},"client":{"userAgent":{"rawUserAgent":"curl"}}}`},
		{"null subtree kept as null", []string{"client.geographicalContext.city"}, nil, event,
			`{"client":{"geographicalContext":null}}`},
		{"array of objects: each element through the subtree", []string{"target.id", "target.type"}, nil, event,
			`{"target":[{"id":"0oa1","type":"AppInstance"},null,"odd",{"id":"00g1","type":"UserGroup"}]}`},
		{"extra path into array elements", []string{"target.id"}, []string{"target.detailEntry.k"}, event,
			`{"target":[{"id":"0oa1","detailEntry":{"k":"v"}},null,"odd",{"id":"00g1"}]}`},
		{"whole array when named whole", []string{"target.id"}, []string{"target"}, `{"target":[{"id":"1","x":2}]}`,
			`{"target":[{"id":"1","x":2}]}`},
		{"null array", []string{"target.id"}, nil, `{"target":null}`, `{"target":null}`},
		{"empty array", []string{"target.id"}, nil, `{"target":[]}`, `{"target":[]}`},
		{"array of scalars kept", []string{"amr.x"}, nil, `{"amr":["pwd","mfa"]}`, `{"amr":["pwd","mfa"]}`},
		{"nested arrays", []string{"a.b.c"}, nil, `{"a":[{"b":[{"c":1,"d":2}],"e":3}]}`, `{"a":[{"b":[{"c":1}]}]}`},
		{"missing fields omitted", []string{"uuid", "target.id"}, nil, `{"uuid":"u"}`, `{"uuid":"u"}`},
		{"star drops only links", nil, []string{"*"}, `{"b":1,"a":{"c":[1]},"_links":{}}`, `{"a":{"c":[1]},"b":1}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := newProjection(tc.base, tc.extra)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.apply(json.RawMessage(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !sameJSON(t, got, tc.want) {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	// A subtree over a value that is neither object, array nor null is
	// still an invalid response, as before.
	p, _ := newProjection([]string{"profile.login"}, nil)
	if _, err := p.apply(json.RawMessage(`{"profile":"x"}`)); err == nil {
		t.Error("a string where an object is projected was accepted")
	}
}

func sameJSON(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("projection is not JSON: %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
