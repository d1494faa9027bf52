package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/okta-mcp/okta-mcp/okta"
	"github.com/okta-mcp/okta-mcp/tools"
)

// argumentErrors keeps the arguments of a call to a registered tool honest
// and its argument errors in the {"error": {…}} shape of every other tool
// error (SPEC §5, §6):
//
//   - Arguments holding bytes that are not UTF-8, or a NUL character in any
//     string, are refused before a handler runs. JSON decoding would turn
//     the first silently into U+FFFD and pass the second on, and either
//     could then reach Okta inside an ID, a query or a profile.
//   - The SDK answers input-schema violations and undecodable values
//     itself, with plain text; those become invalid_argument errors.
//
// Calls to tools that are not registered pass untouched: the SDK answers
// them with "unknown tool".
func argumentErrors(registered map[string]bool) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			call, ok := req.(*mcp.CallToolRequest)
			if method != "tools/call" || !ok || call.Params == nil || !registered[call.Params.Name] {
				return next(ctx, method, req)
			}
			if problem := badText(call.Params.Arguments); problem != "" {
				res := &mcp.CallToolResult{}
				res.SetError(invalidArguments(problem))
				return res, nil
			}
			res, err := next(ctx, method, req)
			if r, ok := res.(*mcp.CallToolResult); ok && r != nil && r.IsError {
				var te *tools.Error
				if e := r.GetError(); e != nil && !errors.As(e, &te) {
					// Only the SDK sets other errors: it validates and
					// decodes the arguments before the handler runs.
					r.Content, r.StructuredContent = nil, nil
					r.SetError(invalidArguments(e.Error()))
				}
			}
			return res, err
		}
	}
}

func invalidArguments(problem string) *tools.Error {
	return &tools.Error{Err: &okta.Error{Code: tools.CodeInvalidArgument, Causes: []string{},
		Summary: shorten(problem, 300, 200),
		Hint:    "Correct the arguments to match the tool's input schema (tools/list shows it) and call the tool again; nothing was sent to Okta."}}
}

// badText says what is wrong with raw tool arguments that are not UTF-8 or
// hold a NUL character in a string (key or value), or returns "".
func badText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	if !utf8.Valid(raw) {
		return "arguments: a string holds bytes that are not valid UTF-8; send text as UTF-8"
	}
	if !bytes.Contains(raw, []byte(`\u0000`)) {
		return "" // JSON cannot carry a NUL any other way
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return "" // the SDK reports undecodable arguments
	}
	if path := nulPath(v, "arguments"); path != "" {
		return fmt.Sprintf("%s: contains a NUL character (\\u0000), which no Okta value may hold", path)
	}
	return ""
}

// nulPath returns the path of the first string (or object key) in v that
// holds a NUL character, or "".
func nulPath(v any, path string) string {
	switch t := v.(type) {
	case string:
		if strings.ContainsRune(t, 0) {
			return path
		}
	case []any:
		for i, x := range t {
			if p := nulPath(x, path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if strings.ContainsRune(k, 0) {
				return path + " (a property name)"
			}
			if p := nulPath(t[k], path+"."+k); p != "" {
				return p
			}
		}
	}
	return ""
}

// shorten keeps the first head and last tail bytes of a long message (the
// SDK quotes a wrongly typed value whole, however large), cut at rune
// boundaries, and says how much it left out.
func shorten(s string, head, tail int) string {
	if len(s) <= head+tail+100 {
		return s
	}
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	end := len(s) - tail
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end++
	}
	return s[:head] + fmt.Sprintf(" … [%d bytes left out] … ", end-head) + s[end:]
}
