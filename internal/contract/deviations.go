package contract

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// DeviationKind says how real Okta departs from openapi.yaml.
type DeviationKind string

const (
	// NullValue: Okta sends JSON null for a property the document declares non-nullable.
	// Admitted by marking that one property nullable, in requests and responses alike
	// (a schema it refers to by $ref stays as it is everywhere else).
	NullValue DeviationKind = "null value"
	// EmptyBody: Okta answers a status the operation declares with a JSON Error body
	// with no body at all, when the WWW-Authenticate header carries the given error.
	EmptyBody DeviationKind = "empty body"
)

// Deviation is one admitted difference between what real Okta sends and what the SDK's
// openapi.yaml (spec version 2024.06.1) declares. The validator admits exactly the
// entries of [Deviations]; everything else the document says is enforced.
type Deviation struct {
	Kind DeviationKind
	// Where, for NullValue: "Schema.property", a property of components.schemas.
	// For EmptyBody: the status code, e.g. "403".
	Where string
	// WWWAuthenticateError, for EmptyBody: the error="…" value that must be present in
	// the WWW-Authenticate header for the empty body to be admitted.
	WWWAuthenticateError string
	// Reason: what Okta does, and where that is documented or observed.
	Reason string
}

// Sources cited in Deviations.
const (
	srcSpec         = "SPEC §10"
	srcRateLimitDoc = "developer.okta.com, \"System Log event guidance for rate limiting\" (an event of December 2020)"
	srcConcurrency  = "developer.okta.com API release notes (2017), \"Example Error Response for System Log API\" (a core.concurrency.org.limit.violation event)"
	srcLogQueryDoc  = "developer.okta.com \"ISV Syslog References\", example events \"Authentication Failure\" and \"Application Sign on\""
	srcEventHookDoc = "Okta Workflows template \"Send notifications for a breached password event\", sample event"
	srcNode134      = "okta/okta-sdk-nodejs#134: the API returns \"one of an enumeration of strings or JSON null\""
	srcNewerSpec    = "fixed upstream: okta-sdk-golang master's openapi.yaml (API 5.1.0) marks LogSecurityContext's fields nullable"
	srcRoadie706    = "RoadieHQ/roadie-backstage-plugins#706: a group created without a description is returned with \"description\": null"
	srcScopeNotes   = "Okta OAuth for service apps: a token without the scope gets 403, empty body, WWW-Authenticate: Bearer … error=\"insufficient_scope\" (shared/OKTA-API-NOTES.md, SPEC §6)"
)

// Deviations is the one list of admitted deviations (SPEC §10: "the contract test admits
// exactly those deviations, listed in one place with the reason").
//
// What was checked, reading the schemas of 2024.06.1:
//   - User: activated, lastLogin, passwordChanged, statusChanged and transitioningToStatus
//     are already nullable in the document, and so are the UserProfile attributes Okta is
//     seen to send as null (mobilePhone, secondEmail, middleName, city, …); custom profile
//     attributes, null or not, pass through additionalProperties: true. The non-nullable
//     ones (login, email, department, employeeNumber, locale) were found null in no Okta
//     response, so no User deviation is admitted: a sandbox must omit an unset attribute.
//   - Group: nothing in Group is nullable; only profile.description is seen null.
//   - LogEvent: nothing in it or the Log* schemas it refers to is nullable (2024.06.1),
//     while every real event carries nulls. The entries below are the fields Okta's own
//     example events show as null.
var Deviations = []Deviation{
	// System Log: LogEvent and the schemas it refers to.
	{Kind: NullValue, Where: "LogEvent.legacyEventType", Reason: "null for events without a legacy (v1 Events API) type; " + srcRateLimitDoc + "; " + srcEventHookDoc},
	{Kind: NullValue, Where: "LogEvent.outcome", Reason: "null for some system events; " + srcConcurrency},
	{Kind: NullValue, Where: "LogEvent.target", Reason: "null, not [], for events without targets; " + srcConcurrency + "; " + srcLogQueryDoc},
	{Kind: NullValue, Where: "LogActor.detailEntry", Reason: "null on practically every event; " + srcSpec + "; " + srcRateLimitDoc + "; " + srcLogQueryDoc},
	{Kind: NullValue, Where: "LogTarget.alternateId", Reason: "null for some target types (e.g. Authenticator); " + srcRateLimitDoc},
	{Kind: NullValue, Where: "LogTarget.displayName", Reason: "null for some target types (e.g. Authenticator); " + srcRateLimitDoc},
	{Kind: NullValue, Where: "LogTarget.detailEntry", Reason: "null unless the event adds details; " + srcRateLimitDoc + "; " + srcEventHookDoc},
	{Kind: NullValue, Where: "LogAuthenticationContext.authenticationProvider", Reason: "null when no provider applies; " + srcRateLimitDoc + "; " + srcConcurrency},
	{Kind: NullValue, Where: "LogAuthenticationContext.credentialProvider", Reason: "null when no credential was presented; " + srcSpec + "; " + srcNode134 + "; " + srcRateLimitDoc},
	{Kind: NullValue, Where: "LogAuthenticationContext.credentialType", Reason: "null when no credential was presented; " + srcSpec + "; " + srcNode134 + "; " + srcRateLimitDoc},
	{Kind: NullValue, Where: "LogAuthenticationContext.interface", Reason: "null outside an interface-specific sign-in; " + srcRateLimitDoc + "; " + srcConcurrency},
	{Kind: NullValue, Where: "LogAuthenticationContext.issuer", Reason: "null unless a token issuer is involved; " + srcRateLimitDoc + "; " + srcConcurrency},
	{Kind: NullValue, Where: "LogClient.id", Reason: "null unless the client is an OAuth app; " + srcRateLimitDoc + "; " + srcConcurrency},
	{Kind: NullValue, Where: "LogClient.geographicalContext", Reason: "null when the IP could not be located; " + srcConcurrency},
	{Kind: NullValue, Where: "LogGeographicalContext.city", Reason: "null for private or unresolved IPs; " + srcRateLimitDoc + "; " + srcEventHookDoc},
	{Kind: NullValue, Where: "LogGeographicalContext.state", Reason: "null for private or unresolved IPs; " + srcRateLimitDoc + "; " + srcEventHookDoc},
	{Kind: NullValue, Where: "LogGeographicalContext.country", Reason: "null for private or unresolved IPs; " + srcRateLimitDoc + "; " + srcEventHookDoc},
	{Kind: NullValue, Where: "LogGeographicalContext.postalCode", Reason: "null for private or unresolved IPs; " + srcRateLimitDoc + "; " + srcEventHookDoc},
	{Kind: NullValue, Where: "LogIpAddress.geographicalContext", Reason: "null in request.ipChain entries that could not be located; " + srcRateLimitDoc + "; " + srcConcurrency},
	{Kind: NullValue, Where: "LogIpAddress.source", Reason: "null in request.ipChain entries; " + srcRateLimitDoc + "; " + srcConcurrency},
	{Kind: NullValue, Where: "LogOutcome.reason", Reason: "null when the result needs no reason (e.g. SUCCESS); " + srcLogQueryDoc + "; " + srcEventHookDoc},
	{Kind: NullValue, Where: "LogTransaction.detail", Reason: "null on some events (others send {}); " + srcLogQueryDoc},
	{Kind: NullValue, Where: "LogSecurityContext.asNumber", Reason: "null when no IP intelligence is available; " + srcRateLimitDoc + "; " + srcNewerSpec},
	{Kind: NullValue, Where: "LogSecurityContext.asOrg", Reason: "null when no IP intelligence is available; " + srcRateLimitDoc + "; " + srcNewerSpec},
	{Kind: NullValue, Where: "LogSecurityContext.isp", Reason: "null when no IP intelligence is available; " + srcRateLimitDoc + "; " + srcNewerSpec},
	{Kind: NullValue, Where: "LogSecurityContext.domain", Reason: "null when no IP intelligence is available; " + srcRateLimitDoc + "; " + srcNewerSpec},
	{Kind: NullValue, Where: "LogSecurityContext.isProxy", Reason: "null when no IP intelligence is available; " + srcRateLimitDoc + "; " + srcNewerSpec},

	// Groups.
	{Kind: NullValue, Where: "GroupProfile.description", Reason: srcRoadie706},

	// Responses without a body.
	{Kind: EmptyBody, Where: "403", WWWAuthenticateError: "insufficient_scope", Reason: srcScopeNotes},
}

// KnownValue names a property whose x-okta-known-values the validator enforces as an
// enum. This is a tightening, not a deviation: Okta marks these lists open-ended, but a
// simulated org must send only values that real Okta sends, and a typo (or a status the
// server does not know) must fail the contract test.
type KnownValue struct {
	Where  string // "Schema.property"
	Reason string
}

// KnownValues lists the properties whose x-okta-known-values are enforced. Properties
// whose lists are known to be incomplete (LogAuthenticationContext.credentialType, for
// one, lacks CERTIFICATE, OKTA_CLIENT_SESSION, …) are deliberately absent.
var KnownValues = []KnownValue{
	{Where: "User.status", Reason: "the eight user statuses of Okta's lifecycle; the server's status logic depends on them"},
	{Where: "Group.type", Reason: "OKTA_GROUP, APP_GROUP, BUILT_IN; group write tools refuse all but OKTA_GROUP"},
	{Where: "LogEvent.severity", Reason: "DEBUG, INFO, WARN, ERROR"},
	{Where: "Session.status", Reason: "ACTIVE, MFA_ENROLL, MFA_REQUIRED; the sessions tool reports them"},
	{Where: "Role.status", Reason: "ACTIVE, INACTIVE"},
	{Where: "Role.assignmentType", Reason: "USER, GROUP; the roles tool tells direct from group assignments by it"},
}

// splitWhere splits "Schema.property".
func splitWhere(where string) (schema, prop string, err error) {
	schema, prop, ok := strings.Cut(where, ".")
	if !ok || schema == "" || prop == "" || strings.Contains(prop, ".") {
		return "", "", fmt.Errorf("bad location %q: want Schema.property", where)
	}
	return schema, prop, nil
}

// property finds components.schemas[schema].properties[prop].
func property(doc *openapi3.T, where string) (parent *openapi3.Schema, prop string, ref *openapi3.SchemaRef, err error) {
	name, prop, err := splitWhere(where)
	if err != nil {
		return nil, "", nil, err
	}
	s := doc.Components.Schemas[name]
	if s == nil || s.Value == nil {
		return nil, "", nil, fmt.Errorf("%s: no schema %q in components.schemas", where, name)
	}
	p := s.Value.Properties[prop]
	if p == nil || p.Value == nil {
		return nil, "", nil, fmt.Errorf("%s: schema %s has no property %q", where, name, prop)
	}
	return s.Value, prop, p, nil
}

// applyDeviations admits the NullValue entries on doc. An entry whose property is gone,
// or already nullable, is an error: the list must not outlive the document it patches.
func applyDeviations(doc *openapi3.T, devs []Deviation) error {
	seen := map[string]bool{}
	for _, d := range devs {
		key := string(d.Kind) + " " + d.Where
		if seen[key] {
			return fmt.Errorf("deviation %s listed twice", key)
		}
		seen[key] = true
		switch d.Kind {
		case NullValue:
			parent, prop, ref, err := property(doc, d.Where)
			if err != nil {
				return fmt.Errorf("deviation: %w", err)
			}
			if ref.Value.Nullable {
				return fmt.Errorf("deviation %s: already nullable in the document; remove it from Deviations", d.Where)
			}
			if ref.Ref == "" {
				ref.Value.Nullable = true
				continue
			}
			// A $ref: make only this use of the referenced schema nullable. The copy
			// shares the referenced schema's properties, so entries for those still
			// apply to every use.
			cp := *ref.Value
			cp.Nullable = true
			cp.Title = strings.TrimPrefix(ref.Ref, "#/components/schemas/")
			parent.Properties[prop] = &openapi3.SchemaRef{Value: &cp}
		case EmptyBody:
			if d.WWWAuthenticateError == "" {
				return fmt.Errorf("deviation %s %s: WWWAuthenticateError is required", d.Kind, d.Where)
			}
		default:
			return fmt.Errorf("deviation %s: unknown kind %q", d.Where, d.Kind)
		}
	}
	return nil
}

// applyKnownValues turns the listed properties' x-okta-known-values into enums.
func applyKnownValues(doc *openapi3.T, kvs []KnownValue) error {
	for _, kv := range kvs {
		_, _, ref, err := property(doc, kv.Where)
		if err != nil {
			return fmt.Errorf("known values: %w", err)
		}
		raw, ok := ref.Value.Extensions["x-okta-known-values"].([]any)
		if !ok || len(raw) == 0 {
			return fmt.Errorf("known values %s: no x-okta-known-values in the document", kv.Where)
		}
		if len(ref.Value.Enum) > 0 {
			return fmt.Errorf("known values %s: already an enum in the document; remove it from KnownValues", kv.Where)
		}
		ref.Value.Enum = slices.Clone(raw)
	}
	return nil
}

// emptyBodyAdmitted reports whether an empty body with this status and header is an
// admitted deviation.
func emptyBodyAdmitted(status int, header http.Header) bool {
	for _, d := range Deviations {
		if d.Kind != EmptyBody || d.Where != fmt.Sprint(status) {
			continue
		}
		for _, v := range header.Values("WWW-Authenticate") {
			if strings.Contains(v, `error="`+d.WWWAuthenticateError+`"`) {
				return true
			}
		}
	}
	return false
}

// admittedEmptyHint says when an empty body would have been admitted for status.
func admittedEmptyHint(status int) string {
	var conds []string
	for _, d := range Deviations {
		if d.Kind == EmptyBody && d.Where == fmt.Sprint(status) {
			conds = append(conds, `WWW-Authenticate error="`+d.WWWAuthenticateError+`"`)
		}
	}
	if len(conds) == 0 {
		return ""
	}
	return " (an empty body is admitted only with " + strings.Join(conds, " or ") + ")"
}
