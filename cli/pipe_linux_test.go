package cli

import (
	"bytes"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestGrowPipe(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	before, err := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := growPipe(w)
	after, err := unix.FcntlInt(w.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got != after || (got != 0 && got < stdoutPipeSize) {
		t.Fatalf("growPipe = %d; pipe buffer %d before, %d after", got, before, after)
	}
	if got == 0 {
		t.Logf("kernel refused F_SETPIPE_SZ (per-user pipe limit); buffer stays %d", before)
	}
	// Not pipes: left alone.
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n := growPipe(f); n != 0 {
		t.Errorf("growPipe(regular file) = %d, want 0", n)
	}
	if n := growPipe(&bytes.Buffer{}); n != 0 {
		t.Errorf("growPipe(buffer) = %d, want 0", n)
	}
}
