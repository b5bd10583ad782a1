au BufRead,BufNewFile *.race,*/models/*.arch,*/models/*.lib setfiletype dirtyrace
