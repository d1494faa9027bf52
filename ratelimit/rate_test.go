package ratelimit

import (
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want Rate
		ok   bool
	}{
		{"good", header(headerLimit, "600", headerRemaining, "599", headerReset, "1700000000"),
			Rate{Limit: 600, Remaining: 599, Reset: time.Unix(1700000000, 0)}, true},
		{"zeros (concurrency 429)", header(headerLimit, "0", headerRemaining, "0", headerReset, "0"),
			Rate{Limit: 0, Remaining: 0, Reset: time.Unix(0, 0)}, true},
		{"whitespace", header(headerLimit, " 100\t", headerRemaining, "\t7 ", headerReset, "  1700000060  "),
			Rate{Limit: 100, Remaining: 7, Reset: time.Unix(1700000060, 0)}, true},
		{"leading zeros", header(headerLimit, "0100", headerRemaining, "007", headerReset, "01700000060"),
			Rate{Limit: 100, Remaining: 7, Reset: time.Unix(1700000060, 0)}, true},
		{"nil header", nil, Rate{}, false},
		{"empty header", http.Header{}, Rate{}, false},
		{"missing limit", header(headerRemaining, "1", headerReset, "1700000000"), Rate{}, false},
		{"missing remaining", header(headerLimit, "1", headerReset, "1700000000"), Rate{}, false},
		{"missing reset", header(headerLimit, "1", headerRemaining, "1"), Rate{}, false},
		{"empty value", header(headerLimit, "", headerRemaining, "1", headerReset, "1700000000"), Rate{}, false},
		{"blank value", header(headerLimit, "   ", headerRemaining, "1", headerReset, "1700000000"), Rate{}, false},
		{"negative remaining", header(headerLimit, "10", headerRemaining, "-1", headerReset, "1700000000"), Rate{}, false},
		{"negative reset", header(headerLimit, "10", headerRemaining, "1", headerReset, "-1700000000"), Rate{}, false},
		{"plus sign", header(headerLimit, "+10", headerRemaining, "1", headerReset, "1700000000"), Rate{}, false},
		{"junk", header(headerLimit, "ten", headerRemaining, "1", headerReset, "1700000000"), Rate{}, false},
		{"fraction", header(headerLimit, "10", headerRemaining, "1.5", headerReset, "1700000000"), Rate{}, false},
		{"exponent", header(headerLimit, "10", headerRemaining, "1", headerReset, "1.7e9"), Rate{}, false},
		{"underscore", header(headerLimit, "1_0", headerRemaining, "1", headerReset, "1700000000"), Rate{}, false},
		{"http date reset", header(headerLimit, "10", headerRemaining, "1", headerReset, "Mon, 02 Jan 2006 15:04:05 GMT"), Rate{}, false},
		{"list value", header(headerLimit, "10, 10", headerRemaining, "1", headerReset, "1700000000"), Rate{}, false},
		{"inner space", header(headerLimit, "1 0", headerRemaining, "1", headerReset, "1700000000"), Rate{}, false},
		{"overflow", header(headerLimit, "99999999999999999999999", headerRemaining, "1", headerReset, "1700000000"), Rate{}, false},
		{"reset beyond year 9999", header(headerLimit, "10", headerRemaining, "1", headerReset, "253402300800"), Rate{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.h)
			if ok != tt.ok {
				t.Fatalf("Parse ok = %v, want %v (rate %+v)", ok, tt.ok, got)
			}
			if got.Limit != tt.want.Limit || got.Remaining != tt.want.Remaining || !got.Reset.Equal(tt.want.Reset) {
				t.Fatalf("Parse = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestResetIn(t *testing.T) {
	now := time.Unix(1700000000, 0)
	tests := []struct {
		name  string
		reset time.Time
		want  int
	}{
		{"zero rate", time.Time{}, 0},
		{"past", now.Add(-time.Minute), 0},
		{"now", now, 0},
		{"1ns rounds up", now.Add(time.Nanosecond), 1},
		{"exact seconds", now.Add(60 * time.Second), 60},
		{"1.2s rounds up", now.Add(1200 * time.Millisecond), 2},
		{"far future", time.Unix(maxResetEpoch, 0), int(min(int64(math.MaxInt), maxResetEpoch-1700000000))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Rate{Limit: 1, Reset: tt.reset}).ResetIn(now); got != tt.want {
				t.Fatalf("ResetIn = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestAtOrBelowReserve(t *testing.T) {
	tests := []struct {
		remaining, limit, pct int
		want                  bool
	}{
		{10, 100, 10, true},
		{11, 100, 10, false},
		{0, 100, 1, true},
		{0, 0, 10, false}, // unknown budget (concurrency 429)
		{5, 100, 0, false},
		{200, 100, 99, false},
		{math.MaxInt, math.MaxInt, 99, false},
		{math.MaxInt / 2, math.MaxInt, 99, true},
		{-1, 100, 10, false},
	}
	for _, tt := range tests {
		if got := atOrBelowReserve(tt.remaining, tt.limit, tt.pct); got != tt.want {
			t.Errorf("atOrBelowReserve(%d, %d, %d) = %v, want %v", tt.remaining, tt.limit, tt.pct, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("600", "599", "1700000000")
	f.Add(" 1 ", "\t0", "0")
	f.Add("-1", "+2", "1e9")
	f.Add("99999999999999999999", "18446744073709551615", "9223372036854775807")
	f.Add("", "", "")
	f.Add("10", "10", "253402300799")
	f.Add("\x00", "٣", "1_000")
	f.Fuzz(func(t *testing.T, limit, remaining, reset string) {
		h := http.Header{}
		h.Set(headerLimit, limit)
		h.Set(headerRemaining, remaining)
		h.Set(headerReset, reset)
		r, ok := Parse(h)
		if !ok {
			if r.Limit != 0 || r.Remaining != 0 || !r.Reset.IsZero() {
				t.Fatalf("Parse failed but returned %+v", r)
			}
			return
		}
		if r.Limit < 0 || r.Remaining < 0 {
			t.Fatalf("negative values from %q %q %q: %+v", limit, remaining, reset, r)
		}
		if r.Reset.Unix() < 0 || r.Reset.Unix() > maxResetEpoch {
			t.Fatalf("reset out of range from %q: %v", reset, r.Reset)
		}
		for _, now := range []time.Time{{}, time.Unix(0, 0), time.Unix(1700000000, 0), time.Unix(maxResetEpoch, 0)} {
			if n := r.ResetIn(now); n < 0 {
				t.Fatalf("ResetIn(%v) = %d", now, n)
			}
		}
		// Parsing the canonical rendering gives the same rate back.
		h2 := http.Header{}
		h2.Set(headerLimit, strconv.Itoa(r.Limit))
		h2.Set(headerRemaining, strconv.Itoa(r.Remaining))
		h2.Set(headerReset, strconv.FormatInt(r.Reset.Unix(), 10))
		if r2, ok := Parse(h2); !ok || r2.Limit != r.Limit || r2.Remaining != r.Remaining || !r2.Reset.Equal(r.Reset) {
			t.Fatalf("round trip: %+v → %+v (%v)", r, r2, ok)
		}
	})
}
