//go:build !linux

package cli

import "io"

// growPipe is Linux-only (F_SETPIPE_SZ); elsewhere pipes keep their size.
func growPipe(io.Writer) int { return 0 }
