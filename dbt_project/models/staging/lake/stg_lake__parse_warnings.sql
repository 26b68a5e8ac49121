with

source as (

    select * from {{ read_lake('lake', 'parse_warnings') }}

),

renamed as (

    select

        ----------  ids
        cast(release_id as string) as release_id,

        ----------  text
        cast(code as string) as warning_code,
        cast(message as string) as message,

        ----------  provenance
        cast(source_file as string) as source_file,
        cast(source_line as bigint) as source_line

    from source

)

select * from renamed
