package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxFileSize bounds the config file; a real one is well under 2 KiB.
const maxFileSize = 1 << 20

// readConfigFile reads the file named by setting (--config or
// OKTA_MCP_CONFIG). A missing or unreadable file is a *UsageError wrapping
// the os error. Only regular files are read: --config /dev/stdin would
// otherwise swallow the MCP client's messages.
func readConfigFile(path, setting string) ([]byte, error) {
	fail := func(err error) error {
		return &UsageError{Setting: setting, Value: path, Err: err}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fail(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fail(err)
	}
	if !st.Mode().IsRegular() {
		return nil, fail(errors.New("not a regular file"))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fail(err)
	}
	if len(data) > maxFileSize {
		return nil, fail(fmt.Errorf("larger than %d bytes", maxFileSize))
	}
	return data, nil
}

// fileEntry is one key of the config file with its raw JSON value.
type fileEntry struct {
	key string
	raw json.RawMessage
}

// applyFile parses the config file's content (named path in errors) and
// applies every key to c through its setting's parser.
func applyFile(c *Config, path string, data []byte, now time.Time) error {
	entries, err := decodeFile(path, data)
	if err != nil {
		return err
	}
	values := make(map[string]json.RawMessage, len(entries))
	for _, e := range entries {
		values[e.key] = e.raw
	}
	// In flag order, so the first error reported does not depend on the
	// order of the keys in the file.
	for _, s := range settings {
		raw, ok := values[s.name]
		if !ok {
			continue
		}
		where := strconv.Quote(s.name) + " in " + path
		text, err := jsonText(s.kind, raw)
		if err != nil {
			shown := string(raw)
			if s.redact != nil {
				shown = s.redact(shown)
			}
			return &UsageError{Setting: where, Value: shown, Valid: s.valid, Err: err}
		}
		if err := s.apply(c, text, where, now); err != nil {
			return err
		}
	}
	return nil
}

// decodeFile checks that data is one JSON object whose keys are config-file
// keys, each once, and returns its entries in file order.
func decodeFile(path string, data []byte) ([]fileEntry, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from Windows editors
	if err := syntaxCheck(path, data); err != nil {
		return nil, err
	}
	notObject := &UsageError{Setting: "config file", Value: path, Err: errors.New("not a JSON object")}

	// data is now known to be exactly one valid JSON value.
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, notObject
	}
	var entries []fileEntry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, notObject
		}
		key, _ := tok.(string)
		line, _ := lineColumn(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, notObject
		}
		if _, ok := settingByName[key]; !ok {
			return nil, &UsageError{
				Setting: "config file key",
				Value:   key,
				Valid:   strings.Join(Keys(), ", "),
				Err:     fmt.Errorf("unknown key at line %d of %s", line, path),
			}
		}
		if seen[key] {
			return nil, &UsageError{
				Setting: "config file key",
				Value:   key,
				Err:     fmt.Errorf("duplicate key at line %d of %s", line, path),
			}
		}
		seen[key] = true
		entries = append(entries, fileEntry{key: key, raw: raw})
	}
	return entries, nil
}

// syntaxCheck reports malformed JSON with its line and column.
func syntaxCheck(path string, data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read, the bad one included.
		line, col := lineColumn(data, se.Offset-1)
		err = fmt.Errorf("line %d, column %d: %s", line, col, se.Error())
	}
	return &UsageError{Setting: "config file", Value: path, Err: err}
}

// lineColumn turns a byte offset into a 1-based line and column (in
// characters).
func lineColumn(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCount(before[start:])
}

// jsonText turns a config-file value into the text its setting's parser
// takes, checking the JSON type: strings for strings and durations, a string
// or an array of strings for lists (the items joined with commas), numbers
// for integers, true/false for booleans.
func jsonText(k kind, raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	got := jsonType(raw)
	wrong := func(want string) error {
		return fmt.Errorf("a JSON %s; expected %s", got, want)
	}
	switch k {
	case kindString, kindDuration:
		var s string
		if got != "string" || json.Unmarshal(raw, &s) != nil {
			if k == kindDuration {
				return "", wrong(`a JSON string such as "30s"`)
			}
			return "", wrong("a JSON string")
		}
		return s, nil
	case kindList:
		var s string
		if got == "string" && json.Unmarshal(raw, &s) == nil {
			return s, nil
		}
		want := "a JSON array of strings or a comma-separated string"
		var elems []json.RawMessage
		if got != "array" || json.Unmarshal(raw, &elems) != nil {
			return "", wrong(want)
		}
		items := make([]string, len(elems))
		for i, e := range elems {
			if jsonType(bytes.TrimSpace(e)) != "string" || json.Unmarshal(e, &items[i]) != nil {
				return "", fmt.Errorf("item %d is a JSON %s; expected %s", i+1, jsonType(bytes.TrimSpace(e)), want)
			}
		}
		return strings.Join(items, ","), nil
	case kindInt:
		if got != "number" {
			return "", wrong("a JSON number")
		}
		return string(raw), nil
	case kindBool:
		if got != "boolean" {
			return "", wrong("a JSON boolean")
		}
		return string(raw), nil
	}
	return "", fmt.Errorf("unknown kind %d", k)
}

// jsonType names the type of a valid JSON value from its first byte.
func jsonType(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "string"
	case '[':
		return "array"
	case '{':
		return "object"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}
