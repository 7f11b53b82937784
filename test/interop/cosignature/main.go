// Opens notes carrying tlog-cosignature/v1 lines with Go's golang.org/x/mod/sumdb/note, given a
// cosignature verifier written here from the C2SP spec with Go's crypto/ed25519 (no seqchain
// code): key ID = SHA-256(name || "\n" || 0x04 || key)[:4]; message = "cosignature/v1\ntime
// <t>\n" || note text; signature = u64be(t) || Ed25519 signature. Also produces a cosignature of
// its own for seqchain to verify. Input and output are JSON (see cosignature.test.ts).
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	m := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	return ed25519.Verify(v.key, m, sig[8:])
}

func cosigKeyHash(name string, key []byte) uint32 {
	h := sha256.Sum256(append(append([]byte(name+"\n"), 0x04), key...))
	return binary.BigEndian.Uint32(h[:4])
}

// parseCosigVkey parses <name>+<hex id>+<base64(0x04 || key)> and checks the ID.
func parseCosigVkey(vkey string) (*cosigVerifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("malformed vkey")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		return nil, fmt.Errorf("not a cosignature/v1 Ed25519 key")
	}
	v := &cosigVerifier{name: parts[0], key: ed25519.PublicKey(raw[1:])}
	v.hash = cosigKeyHash(v.name, raw[1:])
	if fmt.Sprintf("%08x", v.hash) != parts[1] {
		return nil, fmt.Errorf("key id mismatch: %08x", v.hash)
	}
	return v, nil
}

type input struct {
	LogVkey     string   `json:"logVkey"`
	WitnessVkey string   `json:"witnessVkey"`
	Notes       []string `json:"notes"`
	// A text to cosign with Go's own key, at Time.
	Text string `json:"text"`
	Time uint64 `json:"time"`
}

type opened struct {
	Ok      bool     `json:"ok"`
	Error   string   `json:"error,omitempty"`
	Signers []string `json:"signers"`
	Text    string   `json:"text"`
}

type output struct {
	WitnessKeyHash string   `json:"witnessKeyHash"`
	Opened         []opened `json:"opened"`
	GoVkey         string   `json:"goVkey"`
	GoLine         string   `json:"goLine"`
}

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var in input
	if err := json.Unmarshal(data, &in); err != nil {
		panic(err)
	}
	logV, err := note.NewVerifier(in.LogVkey)
	if err != nil {
		panic(err)
	}
	wV, err := parseCosigVkey(in.WitnessVkey)
	if err != nil {
		panic(err)
	}
	out := output{WitnessKeyHash: fmt.Sprintf("%08x", wV.hash)}
	for _, n := range in.Notes {
		o := opened{Signers: []string{}}
		got, err := note.Open([]byte(n), note.VerifierList(logV, wV))
		if err != nil {
			o.Error = err.Error()
		} else {
			o.Ok = true
			o.Text = got.Text
			for _, s := range got.Sigs {
				o.Signers = append(o.Signers, s.Name)
			}
		}
		out.Opened = append(out.Opened, o)
	}
	// Go's own cosignature, for seqchain to open.
	seed := sha256.Sum256([]byte("go interop witness seed"))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub := priv.Public().(ed25519.PublicKey)
	name := "witness.example/go"
	h := cosigKeyHash(name, pub)
	out.GoVkey = fmt.Sprintf("%s+%08x+%s", name, h, base64.StdEncoding.EncodeToString(append([]byte{0x04}, pub...)))
	msg := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", in.Time)), in.Text...)
	sig := make([]byte, 0, 4+8+64)
	sig = binary.BigEndian.AppendUint32(sig, h)
	sig = binary.BigEndian.AppendUint64(sig, in.Time)
	sig = append(sig, ed25519.Sign(priv, msg)...)
	out.GoLine = fmt.Sprintf("\u2014 %s %s\n", name, base64.StdEncoding.EncodeToString(sig))
	enc, _ := json.Marshal(out)
	os.Stdout.Write(enc)
}
