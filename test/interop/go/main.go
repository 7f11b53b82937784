// Command interop checks seqchain's log view output with Go's reference implementation,
// golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog. It reads one JSON file written by
// test/interop/go-interop.test.ts and prints one JSON report on stdout; the test asserts it.
//
// Build offline with Debian's packages: GOPATH=/usr/share/gocode GO111MODULE=off go build.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusionCase struct {
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Leaf  string   `json:"leaf"`
	Proof []string `json:"proof"`
	Root  string   `json:"root"`
}

type consistencyCase struct {
	From     int64    `json:"from"`
	To       int64    `json:"to"`
	FromRoot string   `json:"fromRoot"`
	ToRoot   string   `json:"toRoot"`
	Proof    []string `json:"proof"`
}

type input struct {
	VerifierKey string            `json:"verifierKey"`
	SignerKey   string            `json:"signerKey"`
	Checkpoint  string            `json:"checkpoint"`
	SignText    string            `json:"signText"`
	Entries     []string          `json:"entries"`
	Roots       []string          `json:"roots"`
	Inclusion   []inclusionCase   `json:"inclusion"`
	Consistency []consistencyCase `json:"consistency"`
	TileDir     string            `json:"tileDir"`
	TileURL     string            `json:"tileUrl"`
	TileSize    int64             `json:"tileSize"`
	TileRoot    string            `json:"tileRoot"`
	// A c2sp.org/tlog-proof@v1 file (as `seqchain prove` writes it) and the record it proves: its seq
	// and SCR1 digest (hex), from which Go builds the SCT1 entry itself.
	ProofFile   string `json:"proofFile"`
	ProofSeq    int64  `json:"proofSeq"`
	ProofDigest string `json:"proofDigest"`
}

type report struct {
	CheckpointText        string   `json:"checkpointText"`
	CheckpointSigners     []string `json:"checkpointSigners"`
	TamperedRejected      string   `json:"tamperedRejected"`
	GoSignedWithTsKey     string   `json:"goSignedWithTsKey"`
	GoVerifierKey         string   `json:"goVerifierKey"`
	GoNote                string   `json:"goNote"`
	EntryRootsMatched     int      `json:"entryRootsMatched"`
	InclusionPassed       int      `json:"inclusionPassed"`
	InclusionTamperFailed int      `json:"inclusionTamperFailed"`
	ConsistencyPassed     int      `json:"consistencyPassed"`
	ConsistencyForkFailed int      `json:"consistencyForkFailed"`
	TileTreeRoot          string   `json:"tileTreeRoot"`
	TileProofsMatched     int      `json:"tileProofsMatched"`
	ProofFileOrigin       string   `json:"proofFileOrigin"`
	ProofFileIndex        int64    `json:"proofFileIndex"`
	ProofFileSize         int64    `json:"proofFileSize"`
	ProofFilePassed       bool     `json:"proofFilePassed"`
	ProofFileTamperFailed bool     `json:"proofFileTamperFailed"`
	Errors                []string `json:"errors"`
}

func hash(s string) tlog.Hash {
	h, err := tlog.ParseHash(s)
	if err != nil {
		panic(fmt.Sprintf("hash %q: %v", s, err))
	}
	return h
}

func hashes(ss []string) []tlog.Hash {
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		out[i] = hash(s)
	}
	return out
}

// tileDir serves tiles from files laid out by the C2SP paths, or from a replica's API when url is
// set: Go's tile/8/L/N is C2SP's tile/L/N.
type tileDir struct{ dir, url string }

func (t tileDir) Height() int { return 8 }

func (t tileDir) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, tile := range tiles {
		p := tile.Path()
		if !strings.HasPrefix(p, "tile/8/") {
			return nil, fmt.Errorf("unexpected tile path %s", p)
		}
		rest := strings.TrimPrefix(p, "tile/8/")
		var data []byte
		var err error
		if t.url != "" {
			data, err = httpGet(t.url + "/tile/" + rest)
		} else {
			data, err = os.ReadFile(filepath.Join(t.dir, "tile", rest))
		}
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (t tileDir) SaveTiles([]tlog.Tile, [][]byte) {}

func httpGet(url string) ([]byte, error) {
	res, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return io.ReadAll(res.Body)
}

func main() {
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		panic(err)
	}
	r := report{Errors: []string{}}
	fail := func(format string, args ...interface{}) { r.Errors = append(r.Errors, fmt.Sprintf(format, args...)) }

	// The signed checkpoint opens under the verifier key seqchain publishes.
	v, err := note.NewVerifier(in.VerifierKey)
	if err != nil {
		fail("NewVerifier: %v", err)
	} else if in.Checkpoint != "" {
		n, err := note.Open([]byte(in.Checkpoint), note.VerifierList(v))
		if err != nil {
			fail("Open checkpoint: %v", err)
		} else {
			r.CheckpointText = n.Text
			for _, s := range n.Sigs {
				r.CheckpointSigners = append(r.CheckpointSigners, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
			}
		}
		tampered := strings.Replace(in.Checkpoint, "\n", "\n1", 1)
		if _, err := note.Open([]byte(tampered), note.VerifierList(v)); err != nil {
			r.TamperedRejected = err.Error()
		}
	}

	// seqchain's signer key works in Go: sign a text for the test to compare and open.
	if in.SignerKey == "" {
		// not asked for (a run that checks a proof file only)
	} else if s, err := note.NewSigner(in.SignerKey); err != nil {
		fail("NewSigner: %v", err)
	} else if msg, err := note.Sign(&note.Note{Text: in.SignText}, s); err != nil {
		fail("Sign: %v", err)
	} else {
		r.GoSignedWithTsKey = string(msg)
	}

	// A key Go made: seqchain must open its note.
	skey, vkey, err := note.GenerateKey(nil, "go.example/interop")
	if in.SignText == "" {
		// not asked for
	} else if err != nil {
		fail("GenerateKey: %v", err)
	} else if s, err := note.NewSigner(skey); err != nil {
		fail("NewSigner(go key): %v", err)
	} else if msg, err := note.Sign(&note.Note{Text: in.SignText}, s); err != nil {
		fail("Sign(go key): %v", err)
	} else {
		r.GoVerifierKey, r.GoNote = vkey, string(msg)
	}

	// Go's own tree over the same entries: its roots must be seqchain's.
	var stored []tlog.Hash
	hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, e := range in.Entries {
		data, _ := base64.StdEncoding.DecodeString(e)
		hs, err := tlog.StoredHashes(int64(i), data, hr)
		if err != nil {
			panic(err)
		}
		stored = append(stored, hs...)
		root, err := tlog.TreeHash(int64(i+1), hr)
		if err != nil {
			panic(err)
		}
		if root == hash(in.Roots[i]) {
			r.EntryRootsMatched++
		} else {
			fail("root of size %d: go %s, seqchain %s", i+1, root, in.Roots[i])
		}
	}

	for _, c := range in.Inclusion {
		p := tlog.RecordProof(hashes(c.Proof))
		if err := tlog.CheckRecord(p, c.Size, hash(c.Root), c.Index, hash(c.Leaf)); err != nil {
			fail("CheckRecord index %d size %d: %v", c.Index, c.Size, err)
		} else {
			r.InclusionPassed++
		}
		wrong := hash(c.Leaf)
		wrong[0] ^= 1
		if tlog.CheckRecord(p, c.Size, hash(c.Root), c.Index, wrong) != nil {
			r.InclusionTamperFailed++
		}
	}

	for _, c := range in.Consistency {
		p := tlog.TreeProof(hashes(c.Proof))
		if err := tlog.CheckTree(p, c.To, hash(c.ToRoot), c.From, hash(c.FromRoot)); err != nil {
			fail("CheckTree %d→%d: %v", c.From, c.To, err)
		} else {
			r.ConsistencyPassed++
		}
		fork := hash(c.FromRoot)
		fork[31] ^= 1
		if tlog.CheckTree(p, c.To, hash(c.ToRoot), c.From, fork) != nil {
			r.ConsistencyForkFailed++
		}
	}

	// Tiles: Go's TileHashReader reads seqchain's tiles (checking each against the tree head) and
	// the root and proofs it computes from them are the ones seqchain gave.
	if in.TileSize > 0 {
		checkTiles(in, &r, fail)
	}
	if in.ProofFile != "" && v != nil {
		checkProofFile(in, v, &r, fail)
	}

	out, _ := json.Marshal(r)
	os.Stdout.Write(out)
	os.Stdout.Write([]byte("\n"))
}

func checkTiles(in input, r *report, fail func(string, ...interface{})) {
	tree := tlog.Tree{N: in.TileSize, Hash: hash(in.TileRoot)}
	thr := tlog.TileHashReader(tree, tileDir{in.TileDir, in.TileURL})
	if root, err := tlog.TreeHash(in.TileSize, thr); err != nil {
		fail("TreeHash over tiles: %v", err)
	} else {
		r.TileTreeRoot = root.String()
	}
	for _, c := range in.Inclusion {
		if c.Size != in.TileSize {
			continue
		}
		p, err := tlog.ProveRecord(c.Size, c.Index, thr)
		if err != nil {
			fail("ProveRecord over tiles index %d: %v", c.Index, err)
			continue
		}
		if len(p) == len(c.Proof) && bytes.Equal(flatten(p), flatten(hashes(c.Proof))) {
			r.TileProofsMatched++
		} else {
			fail("ProveRecord over tiles index %d differs from seqchain's proof", c.Index)
		}
	}
}

// checkProofFile reads a c2sp.org/tlog-proof@v1 file by hand (header, optional extra, index, the
// proof hashes, a blank line, the signed checkpoint), opens the checkpoint with note.Open, and
// checks the record's leaf with tlog.CheckRecord against the checkpoint's root.
func checkProofFile(in input, v note.Verifier, r *report, fail func(string, ...interface{})) {
	data, err := os.ReadFile(in.ProofFile)
	if err != nil {
		fail("proof file: %v", err)
		return
	}
	text := string(data)
	blank := strings.Index(text, "\n\n")
	if blank < 0 {
		fail("proof file: no blank line before the checkpoint")
		return
	}
	head := strings.Split(text[:blank], "\n")
	if head[0] != "c2sp.org/tlog-proof@v1" {
		fail("proof file: header %q", head[0])
		return
	}
	head = head[1:]
	if len(head) > 0 && strings.HasPrefix(head[0], "extra ") {
		head = head[1:]
	}
	if len(head) == 0 || !strings.HasPrefix(head[0], "index ") {
		fail("proof file: no index line")
		return
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(head[0], "index "), 10, 64)
	if err != nil {
		fail("proof file: index: %v", err)
		return
	}
	var proof tlog.RecordProof
	for _, line := range head[1:] {
		h, err := tlog.ParseHash(line)
		if err != nil {
			fail("proof file: hash %q: %v", line, err)
			return
		}
		proof = append(proof, h)
	}
	n, err := note.Open([]byte(text[blank+2:]), note.VerifierList(v))
	if err != nil {
		fail("proof file: note.Open: %v", err)
		return
	}
	cp := strings.Split(n.Text, "\n")
	if len(cp) < 4 {
		fail("proof file: checkpoint text %q", n.Text)
		return
	}
	size, err := strconv.ParseInt(cp[1], 10, 64)
	if err != nil {
		fail("proof file: checkpoint size: %v", err)
		return
	}
	root, err := tlog.ParseHash(cp[2])
	if err != nil {
		fail("proof file: checkpoint root: %v", err)
		return
	}
	r.ProofFileOrigin, r.ProofFileIndex, r.ProofFileSize = cp[0], index, size
	if cp[0] != v.Name() {
		fail("proof file: origin %q is not the key name %q", cp[0], v.Name())
	}
	// The SCT1 entry of the record: "SCT1" || u64be(seq) || SCR1 digest.
	digest, err := hex.DecodeString(in.ProofDigest)
	if err != nil || len(digest) != 32 {
		fail("proofDigest %q", in.ProofDigest)
		return
	}
	entry := append([]byte("SCT1"), make([]byte, 8)...)
	binary.BigEndian.PutUint64(entry[4:], uint64(in.ProofSeq))
	entry = append(entry, digest...)
	if index != in.ProofSeq-1 {
		fail("proof file: index %d is not seq %d - 1", index, in.ProofSeq)
	}
	if err := tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(entry)); err != nil {
		fail("proof file: CheckRecord: %v", err)
	} else {
		r.ProofFilePassed = true
	}
	entry[len(entry)-1] ^= 1
	r.ProofFileTamperFailed = tlog.CheckRecord(proof, size, root, index, tlog.RecordHash(entry)) != nil
}

func flatten(hs []tlog.Hash) []byte {
	var b []byte
	for _, h := range hs {
		b = append(b, h[:]...)
	}
	return b
}
