// Package pipelinecase reads testdata/pipeline/cases.json, the inputs that
// explain and report (the root package's TestPipelineSameInputs) and the
// dashboard (ui's TestLoaderSameInputs) must each treat the same. Only
// tests import it.
package pipelinecase

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/clerkscope/clerkscope/har"
)

// Case is one input.
type Case struct {
	Name string `json:"name"`
	// Input is a file (from the repository's root); Gzip compresses it
	// first, Oversize makes a text file one byte over har.MaxText instead.
	Input    string `json:"input"`
	Gzip     bool   `json:"gzip"`
	Oversize bool   `json:"oversize"`
	// Stdin pipes it in (the dashboard spools it, as main does).
	Stdin bool `json:"stdin"`
	// Entries are "index class status reason" of every entry, in order
	// (see Line).
	Entries   []string `json:"entries"`
	Diagnosis []string `json:"diagnosis"`
	// Error is the one line said about the input, NAME standing for its
	// name (explain: the path; the dashboard: the file's name; stdin).
	Error string `json:"error"`
	// Webhooks counts the capture's webhook deliveries (report, and the
	// dashboard's WH rows).
	Webhooks int `json:"webhooks"`
}

// Cases is the file: the clock and key every case is judged with.
type Cases struct {
	Now   string `json:"now"`
	Key   string `json:"jwtKey"`
	Cases []Case `json:"cases"`
}

// Read reads the cases under root, the repository's root.
func Read(root string) (Cases, error) {
	var pc Cases
	data, err := os.ReadFile(filepath.Join(root, "testdata/pipeline/cases.json"))
	if err != nil {
		return pc, err
	}
	if err := json.Unmarshal(data, &pc); err != nil {
		return pc, fmt.Errorf("testdata/pipeline/cases.json: %w", err)
	}
	return pc, nil
}

// Materialize is the case's input as a file: the repository's file under
// root, its gzip, or text one byte over har.MaxText, made in dir.
func (c Case) Materialize(root, dir string) (string, error) {
	switch {
	case c.Oversize:
		p := filepath.Join(dir, "oversize.txt")
		return p, os.WriteFile(p, bytes.Repeat([]byte("a"), har.MaxText+1), 0o600)
	case c.Gzip:
		data, err := os.ReadFile(filepath.Join(root, c.Input))
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			return "", err
		}
		p := filepath.Join(dir, filepath.Base(c.Input)+".gz")
		return p, os.WriteFile(p, b.Bytes(), 0o600)
	}
	return filepath.Join(root, c.Input), nil
}

// Line is an entry as Entries lists it.
func Line(index int, class, status, reason string) string {
	return strings.TrimSpace(fmt.Sprintf("%d %s %s %s", index, class, status, reason))
}
