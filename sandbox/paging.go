package sandbox

import (
	"bytes"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// parseLimit reads the limit parameter: def when absent or empty, values
// above max clamp to max, anything that is not an integer >= 1 is 400 E0000001.
func parseLimit(q url.Values, def, max int) (int, *apiError) {
	v := strings.TrimSpace(q.Get("limit"))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") {
			return max, nil
		}
		return 0, errValidation("limit", "The limit must be a positive integer, got '"+v+"'")
	}
	if n < 1 {
		return 0, errValidation("limit", "The limit must be a positive integer, got '"+v+"'")
	}
	if n > int64(max) {
		return max, nil
	}
	return int(n), nil
}

// indexAfter returns the position of the first of n id-ordered items whose id
// sorts after the cursor; 0 without a cursor.
func indexAfter(n int, id func(i int) string, after string) int {
	if after == "" {
		return 0
	}
	return sort.Search(n, func(i int) bool { return id(i) > after })
}

// pageAfter takes, from id-ordered items, up to limit of those after the
// cursor that keep admits. next is the id of the last one taken when keep
// admits more after it, else "".
func pageAfter[T any](items []T, id func(T) string, after string, limit int, keep func(T) bool) (page []T, next string) {
	start := indexAfter(len(items), func(i int) string { return id(items[i]) }, after)
	page, more := takePage(make([]T, 0, min(limit, 256)), slices.Values(items[start:]), limit, keep)
	if more {
		next = id(page[len(page)-1])
	}
	return page, next
}

// takePage appends to page up to limit of the items seq yields that keep
// admits; more says keep admits one more after them.
func takePage[T any](page []T, seq iter.Seq[T], limit int, keep func(T) bool) (_ []T, more bool) {
	for it := range seq {
		if !keep(it) {
			continue
		}
		if len(page) == limit {
			return page, true
		}
		page = append(page, it)
	}
	return page, false
}

// backward yields s from its last element to its first.
func backward[T any](s []T) iter.Seq[T] {
	return func(yield func(T) bool) {
		for i := len(s) - 1; i >= 0; i-- {
			if !yield(s[i]) {
				return
			}
		}
	}
}

// replyPage answers a list page of n items as a JSON array, with its Link
// headers; item appends the i-th, about size bytes (0: unknown).
func (c *call) replyPage(n, size int, next string, limit int, item func(buf *bytes.Buffer, i int)) {
	var buf bytes.Buffer
	buf.Grow(n * size)
	buf.WriteByte('[')
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		item(&buf, i)
	}
	buf.WriteByte(']')
	c.setLinks(next, limit)
	c.reply(http.StatusOK, buf.Bytes())
}

// linkEscaper keeps a raw query from breaking out of a Link header's <...>.
var linkEscaper = strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20", "\"", "%22", ",", "%2C", ";", "%3B")

// setLinks adds Okta's pagination headers: always one Link line with
// rel="self" (the request's own URL) and, when nextAfter is not empty, a
// separate Link line with rel="next" carrying after, limit and every other
// original parameter. URLs are absolute, built from the request's Host.
func (c *call) setLinks(nextAfter string, limit int) {
	u := c.addSelfLink()
	if nextAfter == "" {
		return
	}
	c.addNextLink(u+"?after="+url.QueryEscape(nextAfter)+"&limit="+strconv.Itoa(limit), "after", "limit")
}

// addSelfLink adds the Link line with rel="self" (the request's own URL) and
// returns that URL without its query.
func (c *call) addSelfLink() string {
	u := c.base + c.r.URL.EscapedPath()
	self := u
	if c.r.URL.RawQuery != "" {
		self += "?" + linkEscaper.Replace(c.r.URL.RawQuery)
	}
	c.w.Header().Add("Link", "<"+self+`>; rel="self"`)
	return u
}

// addNextLink adds the Link line with rel="next": next (a URL with its
// paging parameters) followed by every original parameter but drop.
func (c *call) addNextLink(next string, drop ...string) {
	rest := c.r.URL.Query()
	for _, k := range drop {
		rest.Del(k)
	}
	if len(rest) > 0 {
		next += "&" + rest.Encode()
	}
	c.w.Header().Add("Link", "<"+next+`>; rel="next"`)
}
