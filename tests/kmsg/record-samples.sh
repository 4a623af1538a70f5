#!/usr/bin/env bash
# record-samples.sh [-o OUT] [--tree DIR]... [--results DIR]... [--notes FILE]
#
# Writes tests/kmsg/samples.txt, the data userspace/log-concern.txt is tested against
# (userspace/tests/test_log_concern.c for the probe's regcomp, tests/kmsg/check-grep.sh for
# grep -E -f as the runner and the guest scripts use it). One sample a line:
#
#   match<TAB>SOURCE<TAB>LINE      a kernel log line of concern
#   nomatch<TAB>SOURCE<TAB>LINE    a line that must pass (LINE is the rest of the line, tabs included)
#
# No sample line is typed by hand (only the plausible values that fill a format's conversions,
# and the two full lines of (c)); the data comes from three places.
#  (a) Kernel sources: the Debian linux-source trees unpacked by the runner under
#      $PFNMAP_CACHE/src/linux-source-*_*/, what-if copies (+variant) aside, or --tree DIR
#      (repeatable). For each entry of the SPECS table below, the printk/pr_*/WARN format
#      string is looked up in the named file of each tree (a small C lexer joins adjacent
#      literals, expands KERN_* and string #defines such as GPFSTR, and puts pr_fmt in front of
#      pr_* calls), its conversions are filled with plausible values (the table's arguments,
#      else a default per conversion), and the line is recorded with
#      "DEBIAN-VERSION:FILE:LINE" as its source. Scans take every literal of some files or
#      directories that starts with a prefix ("BUG: ", "WARNING: ", ...). A line made from
#      several trees is kept once, with every source. A spec found in no tree is reported.
#      Negative samples from the sources: boot information that looks alarming (the x86/PAT
#      Configuration line and the PAT disabled notices, the CPA self-test banner, the W+X
#      check), literals mentioning DEBUG or CONFIG_DEBUG_, a user space GPF report (a signal,
#      not a kernel bug), and pfnmap_dev's own pr_warn/pr_info lines (this checkout's
#      pfnmap_dev/*.c). "BUGS found: 0" is printed by none of 5.10 .. 7.3-rc: the unit test
#      spells that one out.
#  (b) Real clean boots: every line of dmesg.txt and console.log of the run columns under
#      --results DIR (default: this checkout's results/ and /tmp/warm/results) whose meta.env
#      says exit_status 0 or 1 (the kernel log was clean; 1 is only a changed probe verdict),
#      as written (one line per shape: a line that differs from an earlier one only in its
#      digits is left out), and also without the "[ time] " prefix, as /dev/kmsg gives it to
#      the probe. Control characters other than tab become \xNN, as /dev/kmsg shows them.
#  (c) Two lines seen on real runs and quoted in the kernel notes (--notes FILE, default
#      /work/shared/kernel-notes.md): the notes abbreviate them with an ellipsis; the full lines
#      are below (OBSERVED) and are checked against the notes' quotes. Lines of any run's
#      dmesg.txt under --results that fit one of the quotes are recorded too (at most two a
#      log, with and without the timestamp): real occurrences, chosen by the notes' words and
#      not by log-concern.txt.
#
# A line recorded both as match and nomatch stops the script: that is a question to settle in
# the SPECS table or in the boot selection, not in samples.txt.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${PFNMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pfnmap_dev}
out=$TOP/tests/kmsg/samples.txt
notes=/work/shared/kernel-notes.md
trees=()
results=()

usage() { sed -n '2,3p' "$0" | sed 's/^# //' >&2; exit 2; }
while (($#)); do
	case $1 in
	-o) out=$2; shift 2 ;;
	--tree) trees+=("${2%/}"); shift 2 ;;
	--results) results+=("${2%/}"); shift 2 ;;
	--notes) notes=$2; shift 2 ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
if ((${#trees[@]} == 0)); then
	# Debian's trees as unpacked (linux-source-7.2_7.2.13-1), not the what-if copies (…+relax-pfnmap-…).
	for t in "$CACHE"/src/linux-source-*_*/; do
		t=${t%/}
		[[ $t != *+* && -f $t/Makefile && -d $t/mm ]] && trees+=("$t")
	done
fi
((${#results[@]})) || results=("$TOP/results" /tmp/warm/results)
((${#trees[@]})) || { echo "record-samples: no kernel tree (--tree DIR)" >&2; exit 2; }

note() { printf 'record-samples: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- the table
# kind	id	files	locate	args	ctx	prfmt
#  kind:   match | nomatch (first literal run containing LOCATE in the first file that has one),
#          match-scan | nomatch-scan (every literal run in FILES that starts with LOCATE),
#          def (no sample: a line for @msg:ID only)
#  files:  paths in the tree, space-separated; a directory is searched recursively (*.c, *.h);
#          "repo:" in front means this checkout instead of the kernel tree
#  locate: text inside one literal; a leading ^ anchors it at the start of the whole run,
#          a trailing $ at its end (after the final \n is dropped)
#  args:   |-separated values for the conversions in order; @file and @line:TEXT name the ctx
#          file and the first line there containing TEXT; @lit:FILE:TEXT is another literal
#          run; @msg:ID the line made by an earlier spec from the same tree; @empty is "";
#          - for none
#  ctx:    the file @file and @line refer to (default: the format's own file)
#  prfmt:  the file whose pr_fmt prefixes a pr_* call (- for the format's own file, none for none)
SPECS=$(cat <<'EOF'
match	-	kernel/panic.c	Kernel panic - not syncing: %s	@lit:arch/x86/kernel/dumpstack.c:Fatal exception	-	-
match	-	kernel/panic.c	end Kernel panic - not syncing: %s	@lit:arch/x86/kernel/dumpstack.c:Fatal exception	-	-
match	-	kernel/panic.c	WARNING: CPU: %d PID: %d at %s:%d %pS	0|291|@file|@line:WARN_ON(|generic_access_phys+0x3f/0x100	mm/memory.c	-
match	-	kernel/panic.c	WARNING: %s:%d at %pS, CPU#%d: %s/%d	@file|@line:WARN_ON(|generic_access_phys+0x3f/0x100|0|pfnmap-probe|291	mm/memory.c	-
match	-	kernel/panic.c	WARNING: CPU: %d PID: %d at %s:%d %pS	0|291|@file|@line:WARN_ON_ONCE(|__page_table_check_ptes_set+0x9a/0xc0	mm/page_table_check.c	-
match	-	kernel/panic.c	WARNING: %s:%d at %pS, CPU#%d: %s/%d	@file|@line:WARN_ON_ONCE(|__page_table_check_ptes_set+0x9a/0xc0|0|pfnmap-probe|291	mm/page_table_check.c	-
match-scan	-	kernel/panic.c	^WARNING: 	-	-	-
match	-	lib/bug.c	kernel BUG at %s:%u!	@file|@line:BUG_ON(	mm/page_table_check.c	-
match	-	lib/bug.c	kernel BUG at %s:%u!	@file|@line:VM_BUG_ON	mm/mremap.c	-
match-scan	-	lib/bug.c	^kernel BUG at	-	-	-
match-scan	-	mm kernel lib arch/x86/mm arch/x86/kernel/traps.c arch/x86/kernel/dumpstack.c	^BUG: 	-	-	-
match-scan	-	mm kernel lib arch/x86/mm arch/x86/kernel/traps.c arch/x86/kernel/dumpstack.c	^WARNING: 	-	-	-
match	-	mm/kasan/report.c	BUG: KASAN: %s in %pS	slab-use-after-free|move_page_tables+0x1a2/0x5b0	-	-
match	-	mm/kasan/report.c	BUG: KASAN: %s in %pS	use-after-free|copy_page_range+0x4e/0x2b0	-	-
match	-	mm/memory.c	BUG: Bad page map in process %s  pte:%08llx pmd:%08llx	pfnmap-probe|0x80000000080002f7|0x1a3c067	-	-
match	-	mm/memory.c	BUG: Bad page map in process %s  %s:%08llx	pfnmap-probe|pte|0x80000000080002f7	-	-
match	-	mm/page_alloc.c	BUG: Bad page state in process %s  pfn:%05lx	pfnmap-probe|0x8b20	-	-
match	-	kernel/fork.c	BUG: Bad rss-counter state mm:%p type:%s val:%ld	0000000041a1ec18|MM_FILEPAGES|-1	-	-
match	-	kernel/fork.c	BUG: Bad rss-counter state mm:%p type:%s val:%ld Comm:%s Pid:%d	0000000041a1ec18|MM_FILEPAGES|-1|pfnmap-probe|291	-	-
match	-	kernel/watchdog.c	BUG: soft lockup - CPU#%d stuck for %us! [%s:%d]	0|22|pfnmap-probe|291	-	-
match	-	kernel/watchdog.c kernel/watchdog_hld.c	Watchdog detected hard LOCKUP on cpu	0|0	-	-
match	-	kernel/sched/core.c	BUG: sleeping function called from invalid context at %s:%d	mm/memory.c|6234	-	-
match	-	kernel/sched/core.c	BUG: scheduling while atomic: %s/%d/0x%08x	pfnmap-probe|291|0x2	-	-
match-scan	-	kernel/locking/lockdep.c	^WARNING: 	hardirq|hardirq	-	-
match-scan	-	kernel/locking/lockdep.c	^BUG: 	-	-	-
match	-	kernel/locking/lockdep.c	INFO: trying to register non-static key.	-	-	-
match	-	lib/ubsan.c	UBSAN: %s in %s:%d:%d	@lit:lib/ubsan.c:array-index-out-of-bounds|mm/mremap.c|812|24	-	-
match	-	lib/ubsan.c	UBSAN: %s in %s:%d:%d	@lit:lib/ubsan.c:shift-out-of-bounds|mm/memory.c|2711|15	-	-
match-scan	-	lib/list_debug.c	^list_	-	-	-
match	-	mm/slub.c	BUG %s (%s): %pV	kmalloc-64|Not tainted|Poison overwritten	-	-
match	-	mm/slub.c	BUG %s (%s): %pV	vm_area_struct|Tainted: G    B      O|Object already free	-	-
match-scan	-	kernel/rcu/tree_stall.h	^INFO: 	rcu_preempt	-	kernel/rcu/tree.c
match	-	kernel/rcu/tree_stall.h	INFO: %s self-detected stall on CPU	rcu_sched	-	kernel/rcu/tree.c
match-scan	-	kernel/rcu/tree_exp.h	^INFO: 	rcu_preempt	-	kernel/rcu/tree.c
match	-	kernel/hung_task.c	INFO: task %s:%d blocked for more than %ld seconds.	pfnmap-probe|291|120	-	-
match	-	kernel/hung_task.c	INFO: task %s:%d blocked%s for more than %ld seconds.	pfnmap-probe|291||120	-	-
match	-	kernel/hung_task.c	INFO: task %s:%d blocked%s for more than %ld seconds.	kworker/0:1|17| in I/O wait|122	-	-
match	-	kernel/hung_task.c	INFO: task %s:%d is blocked on a mutex likely owned by task %s:%d.	pfnmap-probe|291|kworker/0:1|17	-	-
def	gpf_desc	arch/x86/kernel/traps.c	, %s 0x%lx	@lit:arch/x86/kernel/traps.c:probably for non-canonical address|0xdead000000000100	-	-
def	gpf_plain	arch/x86/kernel/traps.c	^general protection fault$	-	-	-
match	-	arch/x86/kernel/dumpstack.c	[#%d]	@msg:gpf_desc|0|1| SMP| NOPTI|@empty|@empty|@empty	-	-
match	-	arch/x86/kernel/dumpstack.c	[#%d]	@msg:gpf_plain|0|1| SMP| NOPTI|@empty|@empty|@empty	-	-
match	-	arch/x86/kernel/dumpstack.c	[#%d]	@lit:arch/x86/mm/fault.c:^Oops$|2|1| SMP| NOPTI|@empty|@empty|@empty	-	-
match	-	arch/x86/kernel/dumpstack.c	[#%d]	@lit:arch/x86/kernel/traps.c:^invalid opcode$|0|1| SMP| NOPTI|@empty|@empty|@empty	-	-
nomatch	-	arch/x86/kernel/traps.c	%s[%d] %s%s ip:%lx sp:%lx error:%lx	pfnmap-probe|291||@msg:gpf_plain|401a2b|7ffd5e1c8f40|0	-	-
match	-	arch/arm64/mm/fault.c	Unable to handle kernel %s at virtual address %016lx	NULL pointer dereference|0x8	-	-
match	-	arch/x86/mm/pat/memtype.c	freeing invalid memtype	pfnmap-probe|291|0x08b20000|0x08b2bfff	-	-
match	-	arch/x86/mm/pat/memtype_interval.c arch/x86/mm/pat/memtype.c	conflicting memory types	pfnmap-probe|291|0x8000000|0x8200000|write-back|uncached-minus	-	-
match	-	arch/x86/mm/pat/memtype.c	map pfn expected mapping type	pfnmap-probe|291|write-back|0x08000000|0x08ffffff|uncached-minus	-	-
match	-	arch/x86/mm/pat/memtype.c	map pfn RAM range req	pfnmap-probe|291|uncached-minus|0x01000000|0x01000fff|write-back	-	-
match	-	arch/x86/mm/pat/memtype.c	memtype_reserve failed	0x08000000|0x08ffffff|write-back|uncached-minus	-	-
match	-	arch/x86/mm/pat/memtype.c	reserve_ram_pages_type failed	0x01000000|0x01000fff|2|0	-	-
match	-	arch/x86/mm/pat/memtype.c	ioremap_change_attr failed	pfnmap-probe|291|uncached-minus|0x08000000|0x08ffffff	-	-
nomatch	-	arch/x86/mm/pat/memtype.c	x86/PAT: Configuration [0-7]: %s	WB  WC  UC- UC  WB  WP  UC- WT  	-	-
nomatch	-	arch/x86/mm/pat/memtype.c	^x86/PAT: %s$	@lit:arch/x86/mm/pat/memtype.c:PAT support disabled via boot option.	-	-
nomatch	-	arch/x86/mm/pat/memtype.c	^x86/PAT: %s$	@lit:arch/x86/mm/pat/memtype.c:PAT not supported by the CPU.	-	-
nomatch	-	arch/x86/mm/pat/memtype.c	^x86/PAT: %s$	@lit:arch/x86/mm/pat/memtype.c:PAT support disabled by the firmware.	-	-
nomatch	-	arch/x86/mm/pat/memtype.c	PAT support disabled because CONFIG_X86_PAT is disabled	-	-	-
match	-	arch/x86/include/asm/pgtable_64.h	bad pud %p	@file|@line:pud_ERROR|0000000041a1ec18|0x80000000800002f7	mm/pgtable-generic.c	mm/pgtable-generic.c
match	-	arch/x86/include/asm/pgtable_64.h	bad pmd %p	@file|@line:pmd_ERROR|00000000c6b3a1f0|0x80000000080002e7	mm/pgtable-generic.c	mm/pgtable-generic.c
match	-	arch/x86/include/asm/pgtable_64.h	bad p4d %p	@file|@line:p4d_ERROR|000000003e41c2d5|0x8000000008000067	mm/pgtable-generic.c	mm/pgtable-generic.c
match	-	arch/x86/include/asm/pgtable_64.h	bad pgd %p	@file|@line:pgd_ERROR|000000003e41c2d5|0x8000000008000067	mm/pgtable-generic.c	mm/pgtable-generic.c
match	-	arch/arm64/include/asm/pgtable.h	bad pmd %016llx	@file|@line:pmd_ERROR|0x68000008000f01	mm/pgtable-generic.c	mm/pgtable-generic.c
match	-	arch/x86/mm/pat/cpa-test.c	: bad pte %Lx	0xffff888008000000|0x8000000008000163	-	-
nomatch	-	arch/x86/mm/pat/cpa-test.c	^CPA self-test:	-	-	-
nomatch	-	arch/x86/mm/dump_pagetables.c	Checked W+X mappings: passed	-	-	-
nomatch	-	kernel/trace/trace_printk.c	This means that this is a DEBUG kernel	-	-	-
nomatch	-	mm/kmemleak.c	CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE	-	-	-
nomatch	-	lib/debugobjects.c	ODEBUG disabled	-	-	-
nomatch	-	lib/dynamic_debug.c	in a CONFIG_DYNAMIC_DEBUG	-	-	-
nomatch	-	mm/kfence/core.c	initialized - using %lu bytes for %d objects at 0x%p-0x%p	2097152|255|00000000d7a8e6c3|00000000a1b2c3d4	-	-
nomatch	-	mm/debug_vm_pgtable.c	Validating architecture page table helpers	-	-	-
nomatch-scan	-	repo:pfnmap_dev	^	-	-	-
EOF
)

# Lines seen on real runs (c): LINE<TAB>WHAT<TAB>the notes' quote, "…" standing for anything.
OBSERVED=$(cat <<'EOF'
mm/pgtable-generic.c:44: bad pud 0000000041a1ec18(80000000800002f7)	7.2.13, vfio-pci huge PUD pfnmap moved by mremap	mm/pgtable-generic.c:44: bad pud …(80000000800002f7)
x86/PAT: pfnmap-probe:123 freeing invalid memtype [mem 0x08b20000-0x08b2bfff]	5.10/6.1/6.12 --memmap, partial move of a remap_pfn_range VMA	x86/PAT: … freeing invalid memtype
EOF
)

# ---------------------------------------------------------------- a small C lexer
# lex STRING: fills TK (s=string literal with its raw text, i=identifier, p=punctuation) and
# TV (values) and TO (offsets); comments and white space are dropped.
re_ws='^[[:space:]]+'
re_str='^"(([^"\\]|\\.)*)"'
re_chr="^'(([^'\\\\]|\\\\.)*)'"
re_id='^[A-Za-z_][A-Za-z0-9_]*'
re_num='^[0-9][A-Za-z0-9_.]*'
lex() {
	local rest=$1 off=0 len
	TK=() TV=() TO=()
	while [[ -n $rest ]]; do
		if [[ $rest =~ $re_ws ]]; then
			len=${#BASH_REMATCH[0]}
		elif [[ $rest == '/*'* ]]; then
			if [[ $rest == *'*/'* ]]; then
				local after=${rest#*'*/'}
				len=$((${#rest} - ${#after}))
			else
				len=${#rest}
			fi
		elif [[ $rest == '//'* ]]; then
			local line=${rest%%$'\n'*}
			len=${#line}
		elif [[ $rest =~ $re_str ]]; then
			len=${#BASH_REMATCH[0]}
			TK+=(s) TV+=("${BASH_REMATCH[1]}") TO+=("$off")
		elif [[ $rest =~ $re_chr || $rest =~ $re_num ]]; then
			len=${#BASH_REMATCH[0]}
			TK+=(p) TV+=("${BASH_REMATCH[0]}") TO+=("$off")
		elif [[ $rest =~ $re_id ]]; then
			len=${#BASH_REMATCH[0]}
			TK+=(i) TV+=("${BASH_REMATCH[0]}") TO+=("$off")
		else
			len=1
			TK+=(p) TV+=("${rest:0:1}") TO+=("$off")
		fi
		rest=${rest:len}
		off=$((off + len))
	done
}

# unescape RAW: the C escapes a format string uses, into UNESC.
unescape() {
	local s=$1 r=''
	while [[ $s == *\\* ]]; do
		r+=${s%%\\*}
		s=${s#*\\}
		case ${s:0:1} in
		n) r+=$'\n' ;; t) r+=$'\t' ;; '"') r+='"' ;; "'") r+="'" ;; \\) r+=\\ ;;
		[0-7]) s=${s#[0-7]}; s=${s#[0-7]}; s=${s#[0-7]}; r+=''; continue ;;
		*) r+=${s:0:1} ;;
		esac
		s=${s:1}
	done
	UNESC=$r$s
}

# string_macro NAME FILE: MACRO gets the value of a string #define in FILE (KERN_* are printk
# levels: nothing); false when NAME is no such macro. Cached.
declare -A MACROS
string_macro() {
	local name=$1 file=$2 def
	MACRO=''
	case $name in
	KERN_*) return 0 ;;
	esac
	[[ $name =~ ^[A-Z][A-Z0-9_]*$ ]] || return 1
	if [[ -z ${MACROS[$file:$name]+set} ]]; then
		MACROS[$file:$name]=-
		if def=$(grep -m1 -E "^#[[:space:]]*define[[:space:]]+${name}[[:space:]]+\"" "$file" 2>/dev/null) &&
			[[ $def =~ \"(([^\"\\]|\\.)*)\" ]]; then
			MACROS[$file:$name]=+${BASH_REMATCH[1]}
		fi
	fi
	[[ ${MACROS[$file:$name]} == +* ]] || return 1
	MACRO=${MACROS[$file:$name]#+}
}

# run_at FILE LINE NEEDLE: the literal run (adjacent literals and string macros) holding the
# first literal on LINE that contains NEEDLE. Sets RUN (unescaped, final newlines dropped,
# only the first line kept) and CALL (the function called with it, if any).
run_at() {
	local file=$1 ln=$2 needle=$3 from win start=0 k j raw n
	from=$((ln > 5 ? ln - 5 : 1))
	win=$(sed -n "${from},$((ln + 6))p" "$file")
	n=$from
	while ((n < ln)); do
		local first=${win:start}
		first=${first%%$'\n'*}
		start=$((start + ${#first} + 1))
		n=$((n + 1))
	done
	lex "$win"
	for ((k = 0; k < ${#TK[@]}; k++)); do
		[[ ${TK[k]} == s && ${TO[k]} -ge $start ]] || continue
		unescape "${TV[k]}"
		[[ $UNESC == *"$needle"* ]] && break
	done
	((k < ${#TK[@]})) || return 1
	raw=${TV[k]}
	for ((j = k - 1; j >= 0; j--)); do
		if [[ ${TK[j]} == s ]]; then
			raw=${TV[j]}$raw
		elif [[ ${TK[j]} == i && ${TV[j - 1]-} != define ]] && string_macro "${TV[j]}" "$file"; then
			raw=$MACRO$raw
		else
			break
		fi
	done
	CALL=''
	if ((j >= 1)) && [[ ${TV[j]} == '(' && ${TK[j - 1]} == i ]]; then
		CALL=${TV[j - 1]}
	fi
	for ((j = k + 1; j < ${#TK[@]}; j++)); do
		if [[ ${TK[j]} == s ]]; then
			raw+=${TV[j]}
		elif [[ ${TK[j]} == i ]] && string_macro "${TV[j]}" "$file"; then
			raw+=$MACRO
		else
			break
		fi
	done
	unescape "$raw"
	RUN=${UNESC%%$'\n'*}
}

# pr_prefix FILE LINE [MODNAME]: what pr_fmt puts in front of a pr_* call at LINE of FILE (the last
# definition before LINE; the first one when LINE is 0).
pr_prefix() {
	local file=$1 ln=$2 mod=${3:-} defs def
	defs=$(grep -n -E '^#[[:space:]]*define[[:space:]]+pr_fmt\(fmt\)' "$file" 2>/dev/null) || return 0
	if ((ln > 0)); then
		def=$(awk -F: -v ln="$ln" '$1 < ln { d = $0 } END { print d }' <<<"$defs")
	else
		def=${defs%%$'\n'*}
	fi
	[[ -n $def ]] || return 0
	def=${def#*pr_fmt(fmt)}
	local tail=${def##*fmt}
	def=${def%fmt*}
	lex "$def"
	local out='' k
	[[ -n $mod ]] || mod=$(basename "$file" .c)
	for ((k = 0; k < ${#TK[@]}; k++)); do
		case ${TK[k]}:${TV[k]} in
		s:*) unescape "${TV[k]}"; out+=$UNESC ;;
		i:KBUILD_MODNAME) out+=$mod ;;
		*) return 0 ;;	# anything else: no fixed prefix
		esac
	done
	if [[ $tail =~ ^[[:space:]]*,[[:space:]]*__func__[[:space:]]*$ ]]; then
		# The enclosing function: the last definition line (column 0) before LINE.
		ARGV=("$(awk -v ln="$ln" 'NR >= ln { exit } /^[A-Za-z_].*[A-Za-z0-9_]\(/ && !/;[[:space:]]*$/ {
			s = $0; sub(/\(.*/, "", s); n = split(s, w, /[^A-Za-z0-9_]+/); f = w[n] } END { print f }' "$file")")
		instantiate "$out"
		out=$LINE_OUT
	elif [[ -n ${tail//[[:space:]]/} ]]; then
		return 0
	fi
	printf '%s' "$out"
}

# ---------------------------------------------------------------- filling the conversions
re_conv='^([-+ #0]*)([0-9]*|\*)(\.([0-9]+|\*))?(hh|h|ll|l|L|z|t|j|q)?([diouxXcsp])'
# instantiate FORMAT: fills ARGV's values in order (defaults when it runs out) into LINE_OUT.
instantiate() {
	local fmt=$1 out='' i=0 v ext
	while [[ $fmt == *%* ]]; do
		out+=${fmt%%\%*}
		fmt=${fmt#*%}
		if [[ ${fmt:0:1} == % ]]; then
			out+=%
			fmt=${fmt:1}
			continue
		fi
		[[ $fmt =~ $re_conv ]] || { out+=%; continue; }
		fmt=${fmt:${#BASH_REMATCH[0]}}
		local flags=${BASH_REMATCH[1]} width=${BASH_REMATCH[2]} prec=${BASH_REMATCH[3]} conv=${BASH_REMATCH[6]}
		[[ $width == '*' ]] && width=''
		[[ $prec == '.*' ]] && prec=''
		v=${ARGV[i]-}
		local given=$((i < ${#ARGV[@]}))
		i=$((i + 1))
		case $conv in
		s) ((given)) || v=pfnmap-probe
			out+=$(printf "%${flags//[#0+ ]/}${width}${prec}s" "$v") ;;
		c) ((given)) || v=x
			out+=${v:0:1} ;;
		p)
			ext=''
			[[ $fmt =~ ^[A-Za-z]+[0-9]? ]] && ext=${BASH_REMATCH[0]} && fmt=${fmt:${#ext}}
			if ! ((given)); then
				case $ext in
				[SsBFf]*) v=move_page_tables+0x1a2/0x5b0 ;;
				x*) v=ffff888003a1b2c0 ;;
				a*) v=0x0000000008000000 ;;
				V*) v='' ;;
				*) v=0000000041a1ec18 ;;
				esac
			fi
			out+=$v ;;
		*) [[ $v =~ ^-?(0x[0-9a-fA-F]+|[0-9]+)$ ]] || given=0
			((given)) || case $conv in [xX]) v=0x1000 ;; *) v=1 ;; esac
			out+=$(printf "%${flags}${width}${prec}${conv}" "$v") ;;
		esac
	done
	LINE_OUT=$out$fmt
}

# ---------------------------------------------------------------- recording
declare -A KIND SRC MSG
ORDER=()
conflicts=0
add() {	# add KIND SOURCE LINE
	local kind=$1 src=$2 line=$3
	[[ -n $line ]] || return 0
	if [[ -n ${KIND[$line]-} ]]; then
		if [[ ${KIND[$line]} != "$kind" ]]; then
			note "both ${KIND[$line]} (${SRC[$line]}) and $kind ($src): $line"
			conflicts=$((conflicts + 1))
		elif [[ $kind == match && " ${SRC[$line]} " != *" $src "* ]]; then
			SRC[$line]+=" $src"
		fi
		return 0
	fi
	KIND[$line]=$kind
	SRC[$line]=$src
	ORDER+=("$line")
}

# resolve_args ARGS CTX ROOT: ARGV from the table's argument field.
resolve_args() {
	local args=$1 ctx=$2 root=$3 a n f t
	ARGV=()
	[[ $args == - ]] && return 0
	IFS='|' read -r -a raw_args <<<"$args"
	for a in "${raw_args[@]}"; do
		case $a in
		@file) a=$ctx ;;
		@empty) a='' ;;
		@line:*)
			n=$(grep -n -m1 -F -- "${a#@line:}" "$root/$ctx" 2>/dev/null | cut -d: -f1) || n=''
			[[ -n $n ]] || return 1
			a=$n ;;
		@lit:*)
			f=${a#@lit:}
			t=${f#*:}
			f=${f%%:*}
			find_runs "$root/$f" "$t" first || return 1
			a=${FOUND_RUNS[0]} ;;
		@msg:*)
			[[ -n ${MSG[${a#@msg:}]-} ]] || return 1
			a=${MSG[${a#@msg:}]} ;;
		esac
		ARGV+=("$a")
	done
}

# find_runs FILE LOCATE first|all: FOUND_RUNS, FOUND_LINES, FOUND_CALLS of the literal runs
# holding LOCATE (anchors: ^ start, $ end).
find_runs() {
	local file=$1 locate=$2 mode=$3 needle anchor_start=0 anchor_end=0 ln
	FOUND_RUNS=() FOUND_LINES=() FOUND_CALLS=()
	needle=$locate
	[[ $needle == ^* ]] && anchor_start=1 && needle=${needle#^}
	[[ $needle == *\$ ]] && anchor_end=1 && needle=${needle%\$}
	[[ -f $file ]] || return 1
	local grep_for=$needle
	((anchor_start)) && [[ $mode == all ]] && grep_for="\"$needle"
	while IFS=: read -r ln _; do
		run_at "$file" "$ln" "$needle" || continue
		((anchor_start)) && [[ $RUN != "$needle"* ]] && continue
		((anchor_end)) && [[ $RUN != *"$needle" ]] && continue
		FOUND_RUNS+=("$RUN") FOUND_LINES+=("$ln") FOUND_CALLS+=("$CALL")
		[[ $mode == first ]] && break
	done < <(grep -n -F -- "$grep_for" "$file" 2>/dev/null)
	((${#FOUND_RUNS[@]}))
}

# files_of ROOT NEEDLE FILES...: the files named, directories expanded to their *.c and *.h
# that contain NEEDLE.
files_of() {
	local root=$1 needle=$2 f
	shift 2
	for f in "$@"; do
		if [[ -d $root/$f ]]; then
			(cd "$root" && grep -rlF --include='*.[ch]' -- "$needle" "$f" | LC_ALL=C sort)
		elif [[ -f $root/$f ]]; then
			echo "$f"
		fi
	done
}

declare -A FOUND_ANYWHERE
# pr_cont and pr_debug/pr_devel aside: the calls that print through pr_fmt.
re_pr_call='^pr_(emerg|alert|crit|err|warn|warning|notice|info)(_once|_ratelimited)?$'
# one_spec ROOT LABEL SPEC-FIELDS...
one_spec() {
	local root=$1 label=$2 kind=$3 id=$4 files=$5 locate=$6 args=$7 ctx=$8 prfmt=$9
	local f i prefix line key=$kind$'\t'$files$'\t'$locate$'\t'$args mode=first rec=$kind
	local -a flist
	[[ $kind == *-scan ]] && mode=all && rec=${kind%-scan}
	[[ $kind == def ]] && rec=''
	read -r -a flist <<<"$files"
	local needle=${locate#^}
	mapfile -t flist < <(files_of "$root" "${needle%\$}" "${flist[@]}")
	for f in "${flist[@]}"; do
		find_runs "$root/$f" "$locate" "$mode" || continue
		local c=$ctx p=$prfmt
		[[ $c == - ]] && c=$f
		[[ $p == - ]] && p=$f
		local -a runs=("${FOUND_RUNS[@]}") lines=("${FOUND_LINES[@]}") calls=("${FOUND_CALLS[@]}")
		for i in "${!runs[@]}"; do
			resolve_args "$args" "$c" "$root" || { note "$label: $f: arguments '$args' not found"; continue; }
			instantiate "${runs[i]}"
			prefix=''
			if [[ $p != none && ${calls[i]} =~ $re_pr_call ]]; then
				if [[ $p == "$f" ]]; then
					prefix=$(pr_prefix "$root/$p" "${lines[i]}")
				else
					prefix=$(pr_prefix "$root/$p" 0)
				fi
			fi
			line=$prefix$LINE_OUT
			[[ $id != - && -z ${MSG[$id]-} ]] && MSG[$id]=$line
			[[ -n $rec ]] && add "$rec" "$label:$f:${lines[i]}" "$line"
			FOUND_ANYWHERE[$key]=1
		done
		if [[ $mode == first ]]; then break; fi
	done
}

# ---------------------------------------------------------------- (a) the sources
tree_label() {	# the Debian version from the directory name, else the Makefile's
	local t=$1 base
	base=$(basename "$t")
	if [[ $base == *_* ]]; then
		echo "${base#*_}"
	else
		awk -F' = ' '/^VERSION =/ { v = $2 } /^PATCHLEVEL =/ { p = $2 } /^SUBLEVEL =/ { s = $2 }
			END { print v "." p "." s }' "$t/Makefile"
	fi
}

roots=()
for t in "${trees[@]}"; do
	[[ -f $t/Makefile ]] || { note "$t: not a kernel tree"; exit 2; }
	roots+=("$t")
done
used=()
for t in "${roots[@]}"; do
	label=$(tree_label "$t")
	used+=("$label")
	note "reading $t ($label)"
	MSG=()
	while IFS=$'\t' read -r kind id files locate args ctx prfmt; do
		[[ -n $kind ]] || continue
		[[ $files == repo:* ]] && continue
		one_spec "$t" "$label" "$kind" "$id" "$files" "$locate" "$args" "$ctx" "$prfmt"
	done <<<"$SPECS"
done
# This checkout's module: its own log lines are no concern.
while IFS=$'\t' read -r kind id files locate args ctx prfmt; do
	[[ $files == repo:* ]] || continue
	files=${files#repo:}
	for f in $(files_of "$TOP" pr_ "$files"); do
		[[ $f == *.c ]] || continue
		while IFS=: read -r ln _; do
			run_at "$TOP/$f" "$ln" "" || continue
			[[ $CALL =~ $re_pr_call ]] || continue
			ARGV=()
			instantiate "$RUN"
			add "${kind%-scan}" "pfnmap_dev:$f:$ln" "$(pr_prefix "$TOP/$f" "$ln" pfnmap_dev)$LINE_OUT"
		done < <(grep -n -E 'pr_(emerg|alert|crit|err|warn|notice|info)(_once|_ratelimited)?\("' "$TOP/$f")
	done
done <<<"$SPECS"

missing=0
while IFS=$'\t' read -r kind _ files locate args _; do
	[[ -n $kind && $files != repo:* ]] || continue
	if [[ -z ${FOUND_ANYWHERE[$kind$'\t'$files$'\t'$locate$'\t'$args]-} ]]; then
		note "not in any tree: $kind $files '$locate'"
		missing=$((missing + 1))
	fi
done <<<"$SPECS"

# ---------------------------------------------------------------- (c) observed lines
quoted_as() {	# quoted_as LINE QUOTE: LINE holds the pieces of QUOTE between its "…", in order
	local rest=$1 quote=$2 piece
	while :; do
		piece=${quote%%…*}
		[[ $rest == *"$piece"* ]] || return 1
		rest=${rest#*"$piece"}
		[[ $quote == *…* ]] || return 0
		quote=${quote#*…}
	done
}
while IFS=$'\t' read -r line what quote; do
	if [[ -f $notes ]]; then
		grep -qF -- "$quote" "$notes" || { note "$notes does not quote '$quote'"; exit 1; }
	fi
	quoted_as "$line" "$quote" || { note "'$line' is not what the notes quote: '$quote'"; exit 1; }
	add match "observed:$what (kernel-notes.md)" "$line"
	# The same message in the runs under --results, whatever their exit status: up to two a log.
	last=${quote##*…}
	for r in "${results[@]}"; do
		[[ -d $r ]] || continue
		for log in "$r"/*/*/dmesg.txt; do
			[[ -f $log ]] || continue
			kv=$(sed -n 's/^debian_version=//p' "${log%/*}/meta.env" 2>/dev/null)
			taken=0
			while IFS=: read -r n text; do
				text=${text%$'\r'}
				quoted_as "$text" "$quote" || continue
				add match "observed:${kv:-?}:${log#"$r"/}:$n" "$text"
				[[ $text =~ ^\[\ *[0-9]+\.[0-9]+\]\ (.*)$ ]] && add match "observed:${kv:-?}:${log#"$r"/}:$n" "${BASH_REMATCH[1]}"
				taken=$((taken + 1))
				((taken < 2)) || break
			done < <(grep -n -F -- "$last" "$log")
		done
	done
done <<<"$OBSERVED"

# ---------------------------------------------------------------- (b) clean boots
ctl_escape() {	# control characters but tab as \xNN, like /dev/kmsg
	LC_ALL=C awk 'BEGIN { for (i = 1; i < 32; i++) code[sprintf("%c", i)] = i; code["\177"] = 127 }
	/[\001-\010\013-\037\177]/ {
		out = ""
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c != "\t" && (c in code)) out = out sprintf("\\x%02x", code[c])
			else out = out c
		}
		$0 = out
	}
	{ print }'
}
boots=0
declare -A SHAPES
for r in "${results[@]}"; do
	[[ -d $r ]] || continue
	for col in "$r"/*/*/; do
		col=${col%/}
		[[ -f $col/meta.env ]] || continue
		status=$(sed -n 's/^exit_status=//p' "$col/meta.env")
		kv=$(sed -n 's/^debian_version=//p' "$col/meta.env")
		run=$(basename "$(dirname "$col")")/$(basename "$col")
		case $status in
		0 | 1) ;;
		*) note "skipping $col: exit_status '${status:-none}'"; continue ;;
		esac
		boots=$((boots + 1))
		for f in dmesg.txt console.log; do
			[[ -f $col/$f ]] || continue
			n=0
			while IFS= read -r line; do
				n=$((n + 1))
				line=${line%$'\r'}
				[[ -n $line ]] || continue
				# One line of each shape: the same message with other numbers adds nothing.
				shape=${line//[0-9]/0}
				[[ -z ${SHAPES[$shape]-} ]] || continue
				SHAPES[$shape]=1
				add nomatch "boot:$kv:$run/$f:$n" "$line"
				if [[ $line =~ ^\[\ *[0-9]+\.[0-9]+\]\ (.*)$ ]]; then
					add nomatch "boot:$kv:$run/$f:$n" "${BASH_REMATCH[1]}"
				fi
			done < <(tr -d '\r' <"$col/$f" | ctl_escape)
		done
	done
done

# ---------------------------------------------------------------- out
((conflicts == 0)) || { note "$conflicts line(s) recorded both ways: nothing written"; exit 1; }
tmp=$out.tmp
{
	for line in "${ORDER[@]}"; do
		[[ ${KIND[$line]} == match ]] && printf 'match\t%s\t%s\n' "${SRC[$line]}" "$line"
	done
	for line in "${ORDER[@]}"; do
		[[ ${KIND[$line]} == nomatch ]] && printf 'nomatch\t%s\t%s\n' "${SRC[$line]}" "$line"
	done
} >"$tmp"
mv "$tmp" "$out"
note "trees: ${used[*]}; clean boot columns: $boots; specs found in no tree: $missing"
note "$(grep -c '^match' "$out") match, $(grep -c '^nomatch' "$out") nomatch samples in $out"
