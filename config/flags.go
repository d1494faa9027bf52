package config

import (
	"github.com/spf13/pflag"
)

// AddFlags registers every setting on fs, with help text naming the default,
// the valid values and the environment variable. The flags keep the text the
// user gave; Load parses and validates it, so a bad value is a *UsageError
// from Load rather than a parse error from pflag.
func AddFlags(fs *pflag.FlagSet) {
	for _, s := range settings {
		usage := s.usage + " [env " + s.env + "]"
		if s.helpDefault != "" {
			usage += " (default " + s.helpDefault + ")"
		}
		fs.VarPF(&flagText{kind: s.kind, text: s.def}, s.name, "", usage)
	}
}

// flagText is the pflag.Value of every setting: it records the text given on
// the command line. A repeated list flag adds to the list
// (--tools a --tools b is --tools a,b); any other repeated flag keeps the last.
type flagText struct {
	kind kind
	text string
	set  bool
}

func (v *flagText) String() string { return v.text }

func (v *flagText) Set(s string) error {
	if v.kind == kindList && v.set {
		v.text += "," + s
	} else {
		v.text = s
	}
	v.set = true
	return nil
}

// Type names the value in pflag's help when the usage has no `NAME`, and lets
// pflag's typed getters (GetInt, GetBool, ...) read the text.
func (v *flagText) Type() string {
	switch v.kind {
	case kindList:
		return "strings"
	case kindInt:
		return "int"
	case kindDuration:
		return "duration"
	case kindBool:
		return "bool"
	default:
		return "string"
	}
}

// IsBoolFlag lets a bool setting be given as a bare --sandbox.
func (v *flagText) IsBoolFlag() bool { return v.kind == kindBool }
