package sandbox

import (
	"strings"
	"testing"
	"time"
)

// A permissive schema for testing the language itself.
var testSchema = &exprSchema{
	param:    "search",
	allowNot: true,
	attr: func(n string) (attrKind, string, bool) {
		switch {
		case n == "id":
			return kindExact, "", true
		case n == "when":
			return kindTime, "", true
		case strings.HasPrefix(n, "p."):
			return kindString, "", true
		}
		return 0, "", false
	},
	op: func(string, attrKind, string) bool { return true },
}

func TestExprEval(t *testing.T) {
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	obj := map[string]any{
		"id":       "00uAbC",
		"when":     when,
		"p.name":   `Jo "Quote" Ann`,
		"p.level":  float64(3),
		"p.admin":  true,
		"p.tags":   []string{"red", "Blue"},
		"p.absent": nil,
		"p.empty":  "",
	}
	get := func(a string) any { return obj[a] }
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{`id eq "00uAbC"`, true},
		{`id eq "00uabc"`, false}, // ids compare exactly
		{`p.name eq "jo \"quote\" ann"`, true},
		{`p.name sw "JO"`, true},
		{`p.name ew "ann"`, true},
		{`p.name co "QUOTE"`, true},
		{`p.name gt "A"`, true},
		{`p.name lt "A"`, false},
		{`p.name eq "Jo \u0022Quote\u0022 Ann"`, true},
		{`p.level ge 3`, true},
		{`p.level gt 3.5`, false},
		{`p.level eq "3"`, false},
		{`p.admin eq true`, true},
		{`p.admin eq FALSE`, false},
		{`p.tags eq "blue"`, true},
		{`p.tags ne "green"`, true},
		{`p.tags ne "red"`, false},
		{`p.absent pr`, false},
		{`p.empty pr`, false},
		{`p.name pr`, true},
		{`p.absent eq null`, true},
		{`p.name ne null`, true},
		{`p.missing eq "x"`, false},
		{`when gt "2024-05-06T07:08:08.999Z"`, true},
		{`when eq "2024-05-06T09:08:09+02:00"`, true},
		{`when le "2024-05-06T07:08:09.000+0000"`, true},
		{`when lt "2024-05-06T07:08:09Z"`, false},
		{`p.level eq 1 or p.level eq 3 and p.admin eq false`, false}, // and binds tighter
		{`(p.level eq 1 or p.level eq 3) and p.admin eq true`, true},
		{`not (p.level eq 1) AnD NOT(p.admin eq false)`, true},
		{`((((id eq "00uAbC"))))`, true},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			e, aerr := compileExpr(tc.expr, testSchema)
			if aerr != nil {
				t.Fatalf("compile: %v", aerr.causes)
			}
			if got := eval(e, get); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestExprSyntaxErrors(t *testing.T) {
	for _, tc := range []struct{ expr, cause string }{
		{``, "empty"},
		{`p.a`, "operator"},
		{`p.a eq`, "value"},
		{`p.a eq "x" p.b eq "y"`, "unexpected"},
		{`p.a zz "x"`, "unknown operator"},
		{`p.a eq "x\q"`, "escape"},
		{`p.a eq "x`, "unterminated"},
		{`p.a eq x`, "double-quoted"},
		{`not p.a eq "x"`, "'(' after 'not'"},
		{`p..a eq "x"`, "invalid attribute"},
		{`1abc eq "x"`, "invalid attribute"},
		{`(p.a eq "x"`, "missing ')'"},
		{`) p.a eq "x"`, "attribute name"},
		{`p.a eq ("x")`, "value"},
		{`when gt 5`, "timestamp"},
		{`when gt "soon"`, "invalid timestamp"},
		{`id eq 5`, "double-quoted"},
		{`p.a sw 5`, "string"},
		{`p.a gt null`, "null"},
		{`other eq "x"`, "not supported"},
		{strings.Repeat("x", maxExprLen+1), "longer"},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			_, aerr := compileExpr(tc.expr, testSchema)
			if aerr == nil {
				t.Fatal("compiled")
			}
			if aerr.code != codeInvalidSearch || len(aerr.causes) != 1 || !strings.Contains(aerr.causes[0], tc.cause) {
				t.Errorf("got %s %v, want a cause with %q", aerr.code, aerr.causes, tc.cause)
			}
		})
	}
}
