package sandbox

import (
	"bytes"
	"encoding/json"
)

// attrs is a small insertion-ordered map used for user and group profiles, so
// that JSON output keeps Okta's attribute order and custom attributes can be
// added later without changing any struct.
//
// Values are JSON-compatible: string, nil (JSON null), bool, float64, int,
// []string or []any.
type attrs struct {
	keys []string
	vals map[string]any
}

func newAttrs(capacity int) *attrs {
	return &attrs{keys: make([]string, 0, capacity), vals: make(map[string]any, capacity)}
}

// set stores v under k, appending k at the end when it is new.
func (a *attrs) set(k string, v any) {
	if _, ok := a.vals[k]; !ok {
		a.keys = append(a.keys, k)
	}
	a.vals[k] = v
}

// get returns the value of k and whether k is present (a present key may hold nil).
func (a *attrs) get(k string) (any, bool) {
	v, ok := a.vals[k]
	return v, ok
}

// str returns the value of k when it is a string, else "".
func (a *attrs) str(k string) string {
	s, _ := a.vals[k].(string)
	return s
}

// MarshalJSON writes the attributes in insertion order.
func (a *attrs) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range a.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(a.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
