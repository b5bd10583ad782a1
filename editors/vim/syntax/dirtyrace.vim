" Vim syntax file for the dirtyrace scenario language (*.race, models/*.arch, models/*.lib).
" Install: copy syntax/ and ftdetect/ into ~/.vim (or a plugin manager's directory).
if exists('b:current_syntax')
  finish
endif

syn keyword dirtyraceDecl arch extends library use pte tlb hardware access fn proc param page frame
syn keyword dirtyraceDecl spinlock rwsem enum cpu fault invariant final on expect holds violated
syn keyword dirtyraceDecl disable ghost override reachable data interrupt
syn keyword dirtyraceStmt let if else while bound for in atomic await assert return done skip with read write when sigsegv swap cas acquire release acq_rel except
syn keyword dirtyraceLock lock unlock down_read up_read down_write up_write downgrade_write
syn keyword dirtyraceConst true false any self
syn keyword dirtyraceType bool int page frame cpu pte tlbe
syn keyword dirtyraceBuiltin ptep_get set_pte tlb frame_of flush flush_all flush_local flush_local_all dmb dsb isb tlbi send_ipi ipi_pending
syn keyword dirtyraceProperty deadlock unhandled_fault loop_bound lock_misuse overflow no_translation
syn match dirtyraceNumber '\<\d\+\>'
syn keyword dirtyraceTodo TODO FIXME XXX contained
syn match dirtyraceComment '//.*$' contains=dirtyraceTodo
syn region dirtyraceComment start='/\*' end='\*/' contains=dirtyraceTodo

hi def link dirtyraceDecl Keyword
hi def link dirtyraceStmt Statement
hi def link dirtyraceLock Statement
hi def link dirtyraceConst Constant
hi def link dirtyraceType Type
hi def link dirtyraceBuiltin Function
hi def link dirtyraceProperty Special
hi def link dirtyraceNumber Number
hi def link dirtyraceTodo Todo
hi def link dirtyraceComment Comment

let b:current_syntax = 'dirtyrace'
