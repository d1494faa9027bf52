package tools

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"testing"

	segjson "github.com/segmentio/encoding/json"

	"github.com/okta-mcp/okta-mcp/okta"
)

// The projection reads Okta's JSON token by token. These tests hold it to
// the answers of the earlier implementation, which decoded every object
// into map[string]json.RawMessage (mapApply, mapSplitArray below): the same
// bytes out, and an error exactly when that one failed, with the same
// summary.

func mapApply(p *projection, raw json.RawMessage) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := mapWrite(p, &buf, raw, p.fields, true); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func mapWrite(p *projection, buf *bytes.Buffer, raw json.RawMessage, fields []field, top bool) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return invalidResponse("an object in Okta's answer is not a JSON object")
	}
	buf.WriteByte('{')
	n := 0
	key := func(k string) {
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
	}
	if top && p.all {
		delete(obj, "_links")
		b, err := json.Marshal(obj)
		if err != nil {
			return invalidResponse("Okta's answer holds invalid JSON")
		}
		buf.Reset()
		buf.Write(b)
		return nil
	}
	for _, f := range fields {
		v, ok := obj[f.name]
		if !ok {
			continue
		}
		key(f.name)
		tv := bytes.TrimSpace(v)
		if f.children == nil || bytes.Equal(tv, []byte("null")) {
			buf.Write(v)
			continue
		}
		if len(tv) > 0 && tv[0] == '[' {
			var items []json.RawMessage
			if err := json.Unmarshal(tv, &items); err != nil {
				return invalidResponse("an array in Okta's answer is not valid JSON")
			}
			buf.WriteByte('[')
			for i, it := range items {
				if i > 0 {
					buf.WriteByte(',')
				}
				if len(it) == 0 || it[0] != '{' {
					buf.Write(it)
					continue
				}
				if err := mapWrite(p, buf, it, f.children, false); err != nil {
					return err
				}
			}
			buf.WriteByte(']')
			continue
		}
		if err := mapWrite(p, buf, v, f.children, false); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

func mapSplitArray(body []byte) ([]json.RawMessage, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, invalidResponse("Okta's answer is not a JSON array")
	}
	return items, nil
}

func summaryOf(err error) string {
	var oe *okta.Error
	if errors.As(err, &oe) {
		return oe.Code + ": " + oe.Summary
	}
	return err.Error()
}

var projectionSeeds = []string{
	`{"id":"00u1","status":"ACTIVE","profile":{"login":"a@b.c","email":"a@b.c","x":1},"_links":{"self":{"href":"h"}}}`,
	`{"uuid":"u","actor":{"id":"1","type":"User"},"target":[{"id":"a","detailEntry":{"k":[1,2]}},null,"odd",[1],{"id":"b"}],"client":null}`,
	` {"id" : "a" , "id":"b", "profile" : { "login":"x" } } `,
	`{"\u0069d":"escaped key","st\"atus":1,"profile":"not an object"}`,
	`{"profile":[{"login":"in an array"}],"status":[]}`,
	`null`, ` null `, `[]`, `[1,2]`, `"x"`, `7`, `{}`, `{"a":{}}`, `{"id":1e5,"status":-0.5E-3,"created":true,"activated":false}`,
	`{"id":"\ud83d\ude00 \u00e9 <b>&amp;</b>","status":"\u2028"}`,
	`{"id":"a"`, `{"id":"a",}`, `{"id":01}`, `{"id":"a"} x`, `{"id":"` + "\x01" + `"}`, `{"id":"\x"}`, `{"id":"\u12"}`,
	`{"id":"` + "\xff\xfe" + `"}`, `{"id":[1,]}`, `{"id":-}`, `{"id":1.}`, `{"id":1e}`, `{"id":tru}`, `{id:1}`, `{"a":1 "b":2}`,
	`[{"id":"1","status":"A"},{"id":"2"} , null, {"profile":{"login":"l"}}]`, `[{"id":"1"},]`, `[,]`, ` [ ] `, `[{"id":"1"}] [`,
}

// FuzzProjection compares apply with the map-based projection for the
// compact user, the compact log event, a caller's extra fields and ["*"].
func FuzzProjection(f *testing.F) {
	for _, s := range projectionSeeds {
		f.Add([]byte(s))
	}
	projs := []*projection{}
	for _, spec := range []struct{ base, extra []string }{
		{userFields, nil}, {logEventFields, nil}, {userFields, []string{"profile.employeeNumber", "type", "status.x"}},
		{logEventFields, []string{"target", "debugContext.debugData.requestUri"}}, {nil, []string{"*"}}, {[]string{"profile"}, []string{"profile.login"}},
	} {
		p, err := newProjection(spec.base, spec.extra)
		if err != nil {
			f.Fatal(err)
		}
		projs = append(projs, p)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for i, p := range projs {
			got, gerr := p.apply(raw)
			want, werr := mapApply(p, raw)
			if (gerr == nil) != (werr == nil) || (gerr != nil && summaryOf(gerr) != summaryOf(werr)) {
				t.Fatalf("projection %d of %q: error %v, map-based %v", i, raw, gerr, werr)
			}
			if gerr == nil && !bytes.Equal(got, want) {
				t.Fatalf("projection %d of %q:\n got %s\nwant %s", i, raw, got, want)
			}
			if gerr == nil {
				r := listResult{Items: []json.RawMessage{got, got}, Count: 2, NextCursor: "c<&>\u2028", Rated: Rated{&okta.RateLimit{Limit: 1}}}
				sameEncoding(t, r)
				trustedEncoding(t, r)
			}
		}
		got, gerr := splitArray(raw)
		want, werr := mapSplitArray(raw)
		if (gerr == nil) != (werr == nil) || (gerr != nil && summaryOf(gerr) != summaryOf(werr)) {
			t.Fatalf("splitArray(%q): error %v, map-based %v", raw, gerr, werr)
		}
		if len(got) != len(want) || (got == nil) != (want == nil) {
			t.Fatalf("splitArray(%q): %d elements (nil %v), map-based %d (nil %v)", raw, len(got), got == nil, len(want), want == nil)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("splitArray(%q) element %d: %s, map-based %s", raw, i, got[i], want[i])
			}
		}
		for i, p := range projs {
			sameAsApplyEach(t, i, p, raw)
		}
	})
}

// sameAsApplyEach holds applyAll, one pass over a page, to splitArray and
// apply on each element: the same items, or the same first error.
func sameAsApplyEach(t *testing.T, n int, p *projection, raw []byte) {
	t.Helper()
	got, gerr := p.applyAll(raw)
	want, werr := splitArray(raw)
	for i := range want {
		if werr == nil {
			want[i], werr = p.apply(want[i])
		}
	}
	if (gerr == nil) != (werr == nil) || (gerr != nil && summaryOf(gerr) != summaryOf(werr)) {
		t.Fatalf("projection %d, applyAll(%q): error %v, element by element %v", n, raw, gerr, werr)
	}
	if gerr != nil {
		return
	}
	if len(got) != len(want) || (got == nil) != (want == nil) {
		t.Fatalf("projection %d, applyAll(%q): %d items (nil %v), element by element %d (nil %v)", n, raw, len(got), got == nil, len(want), want == nil)
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("projection %d, applyAll(%q) item %d: %s, element by element %s", n, raw, i, got[i], want[i])
		}
	}
}

// sameEncoding fails unless segmentio's encoder, which tools use for their
// results, writes v exactly as encoding/json does.
func sameEncoding(t *testing.T, v any) {
	t.Helper()
	want, werr := json.Marshal(v)
	got, gerr := segjson.Marshal(v)
	if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("segmentio encodes %s (%v), encoding/json %s (%v)", got, gerr, want, werr)
	}
}

// trustedEncoding holds the handler's encoding of projected items (copied,
// not checked again) to encoding/json's: one line, the same JSON value.
func trustedEncoding(t *testing.T, r listResult) {
	t.Helper()
	if !singleLine(r.projected()) {
		return // the handler checks and compacts these
	}
	got, err := segjson.Append(nil, r, segjson.TrustRawMessage|segjson.SortMapKeys)
	if err != nil || bytes.ContainsAny(got, "\r\n") {
		t.Fatalf("trusted encoding %q: %v", got, err)
	}
	want, _ := json.Marshal(r)
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("trusted encoding %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil || !reflect.DeepEqual(g, w) {
		t.Fatalf("trusted encoding %s, encoding/json %s", got, want)
	}
}

// TestProjectionDeepNesting: nesting past encoding/json's limit is an
// invalid response, not a stack overflow.
func TestProjectionDeepNesting(t *testing.T) {
	t.Parallel()
	deep := []byte(`{"id":` + string(bytes.Repeat([]byte("["), 20000)) + string(bytes.Repeat([]byte("]"), 20000)) + `}`)
	p, _ := newProjection(userFields, nil)
	if _, err := p.apply(deep); err == nil {
		t.Error("20000 nested arrays accepted")
	}
	if _, err := splitArray(deep[6 : len(deep)-1]); err == nil {
		t.Error("20000 nested arrays accepted by splitArray")
	}
	if _, err := p.applyAll(append(append([]byte("["), deep...), ']')); err == nil {
		t.Error("20000 nested arrays accepted by applyAll")
	}
	// The limit counts the page's own array: 9998 levels inside an element
	// of a page are 10000 in all; one more is too many, as for encoding/json.
	for _, levels := range []int{9998, 9999} {
		page := []byte(`[{"id":` + string(bytes.Repeat([]byte("["), levels)) + string(bytes.Repeat([]byte("]"), levels)) + `}]`)
		_, err := p.applyAll(page)
		var v any
		if (err == nil) != (json.Unmarshal(page, &v) == nil) {
			t.Errorf("%d nested arrays in a page: applyAll %v, encoding/json disagrees", levels, err)
		}
		sameAsApplyEach(t, 0, p, page)
	}
	ok := []byte(`{"id":` + string(bytes.Repeat([]byte("["), 9000)) + string(bytes.Repeat([]byte("]"), 9000)) + `}`)
	got, err := p.apply(ok)
	want, werr := mapApply(p, ok)
	if err != nil || werr != nil || !bytes.Equal(got, want) {
		t.Errorf("9000 nested arrays: %v / %v", err, werr)
	}
}

// TestSpecialBytes checks the eight-bytes-at-a-time search against bytes one
// by one.
func TestSpecialBytes(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	special := []byte{'"', '\\', 0, 0x1f, 0x20, 0x21, 0x7f, 0x80, 0xff, 0x5b, 0x5d, 0x22 ^ 0x80}
	for n := 0; n < 200000; n++ {
		var b [8]byte
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = special[r.IntN(len(special))]
			} else {
				b[i] = byte(r.UintN(256))
			}
		}
		first := -1 // the first special byte
		for i, c := range b {
			if c == '"' || c == '\\' || c < 0x20 {
				first = i
				break
			}
		}
		m := specialBytes(binary.LittleEndian.Uint64(b[:]))
		if (m == 0) != (first < 0) || (m != 0 && bits.TrailingZeros64(m)>>3 != first) {
			t.Fatalf("specialBytes(% x) = %016x; the first special byte is at %d", b, m, first)
		}
	}
}
