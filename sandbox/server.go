package sandbox

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server serves an Org over HTTP on a loopback port.
type Server struct {
	URL string // e.g. "http://127.0.0.1:43125"
	Org *Org

	srv    *http.Server
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	err    error
}

// Start builds an org from opts and serves it on 127.0.0.1 at a free port.
func Start(opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	o := New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		URL:    "http://" + ln.Addr().String(),
		Org:    o,
		cancel: cancel,
		done:   make(chan struct{}),
		srv: &http.Server{
			Handler:           o,
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return ctx },
			ErrorLog:          log.New(io.Discard, "", 0),
		},
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the listener and closes every connection at once; requests
// sleeping in an injected latency end immediately.
func (s *Server) Close() error {
	s.once.Do(func() {
		err := s.srv.Close() // listener and connections first: nothing more gets answered
		s.cancel()
		<-s.done
		if err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			s.err = err
		}
	})
	return s.err
}
