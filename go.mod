module github.com/okta-mcp/okta-mcp

go 1.26.8

require (
	github.com/danieljoos/wincred v1.2.3 // indirect
	github.com/getkin/kin-openapi v0.153.0 // indirect
	github.com/godbus/dbus/v5 v5.2.2 // indirect
	github.com/modelcontextprotocol/go-sdk v1.8.0 // indirect
	github.com/okta/okta-sdk-golang/v5 v5.0.2 // indirect
	github.com/spf13/pflag v1.1.0 // indirect
	github.com/zalando/go-keyring v0.2.8 // indirect
	golang.org/x/sys v0.41.0 // indirect
)
