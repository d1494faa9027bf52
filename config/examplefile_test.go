package config

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/spf13/pflag"
)

const exampleFile = "../config.example.json"

// config.example.json covers every key, each key is a flag, and it loads.
func TestExampleFile(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s is not a JSON object: %v", exampleFile, err)
	}
	var fileKeys []string
	for k := range m {
		fileKeys = append(fileKeys, k)
	}
	slices.Sort(fileKeys)
	keys := slices.Sorted(slices.Values(Keys()))
	if !slices.Equal(fileKeys, keys) {
		t.Errorf("%s keys\n  %v\nKeys()\n  %v", exampleFile, fileKeys, keys)
	}

	fs := pflag.NewFlagSet("okta-mcp", pflag.ContinueOnError)
	AddFlags(fs)
	for _, k := range fileKeys {
		if fs.Lookup(k) == nil {
			t.Errorf("%s key %q is not a flag", exampleFile, k)
		}
	}

	if err := fs.Parse([]string{"--config", exampleFile}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(fs, func(string) string { return "" })
	if err != nil {
		t.Fatalf("Load(--config %s): %v", exampleFile, err)
	}
	// The example holds the defaults, plus a placeholder org URL.
	want := Default()
	want.OrgURL = "https://your-org.okta.com"
	want.ConfigFile = exampleFile
	if !reflect.DeepEqual(c, want) {
		t.Errorf("example loads as\n  %+v\nwant the defaults\n  %+v", c, want)
	}
}
